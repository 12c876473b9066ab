import { WhirlError } from '../../errors/whirl-error.js';
import type { Logger } from '../../ports/logger.js';
import type {
  DeliverMessage,
  MessageStreams,
  StopConsuming,
  StreamMessage,
  StreamSubscription,
} from '../../ports/message-streams.js';
import { RedisLink } from '../redis/redis-link.js';

/**
 * Redis Streams: one consumer group per subscription (`whirl:<subscription id>`, created at the stream's end with
 * `$`), so each message reaches one consumer across every API process; every process reads all subscriptions
 * with non-blocking `XREADGROUP … >` each poll, acknowledges with `XACK` after the trigger fired, and takes over
 * messages left pending longer than `retryMs` (a failed fire, or a process that died) with `XAUTOCLAIM`.
 * Subscriptions live in the hash `<prefix>:stream-subs`.
 */
export class RedisMessageStreams implements MessageStreams {
  private readonly link: RedisLink;
  private get redis(): RedisLink['client'] {
    return this.link.client;
  }
  private readonly subsKey: string;

  constructor(private readonly options: { redisUrl: string; prefix: string; logger: Logger }) {
    this.link = new RedisLink({ url: options.redisUrl, logger: options.logger, purpose: 'message streams' });
    this.subsKey = `${options.prefix}:stream-subs`;
  }

  async subscribe(sub: StreamSubscription): Promise<void> {
    const previous = await this.get(sub.id);
    if (previous && previous.stream !== sub.stream) await this.destroyGroup(previous);
    await this.call(async () => {
      try {
        await this.redis.xgroup('CREATE', sub.stream, group(sub.id), '$', 'MKSTREAM');
      } catch (err) {
        // Subscribing again to the same stream keeps the group's position.
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
      await this.redis.hset(this.subsKey, sub.id, JSON.stringify(sub));
    });
  }

  async unsubscribe(id: string): Promise<void> {
    const sub = await this.get(id);
    await this.call(() => this.redis.hdel(this.subsKey, id));
    if (sub) await this.destroyGroup(sub);
  }

  async get(id: string): Promise<StreamSubscription | undefined> {
    const raw = await this.call(() => this.redis.hget(this.subsKey, id));
    return raw ? (JSON.parse(raw) as StreamSubscription) : undefined;
  }

  async setPaused(id: string, paused: boolean): Promise<void> {
    const sub = await this.get(id);
    if (sub) await this.call(() => this.redis.hset(this.subsKey, id, JSON.stringify({ ...sub, paused })));
  }

  async append(stream: string, fields: Record<string, string>): Promise<string> {
    const id = await this.call(() => this.redis.xadd(stream, '*', ...Object.entries(fields).flat()));
    return id ?? '';
  }

  consume(deliver: DeliverMessage, options: { consumerId: string; pollMs: number; retryMs: number }): StopConsuming {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let pass: Promise<void> = Promise.resolve();
    const loop = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        pass = this.pass(deliver, options)
          .catch((err: unknown) => this.options.logger.warn({ err: String(err) }, 'message stream pass failed'))
          .finally(loop);
      }, options.pollMs);
      timer.unref?.();
    };
    loop();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await pass;
    };
  }

  async close(): Promise<void> {
    await this.link.close();
  }

  private async pass(deliver: DeliverMessage, options: { consumerId: string; retryMs: number }): Promise<void> {
    await this.link.ready();
    const subs = (await this.redis.hvals(this.subsKey)).map((raw) => JSON.parse(raw) as StreamSubscription);
    for (const sub of subs) {
      if (sub.paused) continue;
      const g = group(sub.id);
      const claimed = (await this.redis.xautoclaim(sub.stream, g, options.consumerId, options.retryMs, '0-0', 'COUNT', 50)) as [
        string,
        Array<[string, string[]] | null>,
      ];
      const read = (await this.redis.xreadgroup('GROUP', g, options.consumerId, 'COUNT', 100, 'STREAMS', sub.stream, '>')) as
        | Array<[string, Array<[string, string[]]>]>
        | null;
      const batch = [...(claimed[1] ?? []), ...(read?.[0]?.[1] ?? [])].filter((e): e is [string, string[]] => e !== null);
      for (const [id, flat] of batch) {
        try {
          await deliver(sub, toMessage(id, flat));
          await this.redis.xack(sub.stream, g, id);
        } catch (err) {
          this.options.logger.warn({ subscription: sub.id, message: id, err: String(err) }, 'stream message not delivered');
        }
      }
    }
  }

  private async destroyGroup(sub: StreamSubscription): Promise<void> {
    await this.call(() => this.redis.xgroup('DESTROY', sub.stream, group(sub.id))).catch(() => undefined);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      await this.link.ready();
      return await fn();
    } catch (err) {
      throw new WhirlError('WHIRL_UNAVAILABLE', [`message streams: ${(err as Error).message}`], { cause: err });
    }
  }
}

function group(subscriptionId: string): string {
  return `whirl:${subscriptionId}`;
}

function toMessage(id: string, flat: string[]): StreamMessage {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return { id, fields };
}
