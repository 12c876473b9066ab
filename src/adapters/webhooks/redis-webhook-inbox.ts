import { randomUUID } from 'node:crypto';
import { WhirlError } from '../../errors/whirl-error.js';
import type { Logger } from '../../ports/logger.js';
import type { InboxConsumeOptions, InboxConsumer, WebhookDelivery, WebhookInbox } from '../../ports/webhook-inbox.js';
import { RedisLink } from '../redis/redis-link.js';

/**
 * The inbox as a Redis stream (`<prefix>:webhooks`) with one consumer group. `accept` remembers the replay key
 * and appends the delivery in one Lua script (so a replay can never slip between the check and the append); it is
 * as durable as Redis is (AOF in production, as for the activation queue). Consumers read with XREADGROUP and
 * XACK+XDEL once handled; deliveries left pending by a dead consumer (or a failed handler) are taken over with
 * XAUTOCLAIM once idle for `claimAfterMs` (a failed handler's delivery: `retryMs`).
 */
const ACCEPT = `
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then
  redis.call('XADD', KEYS[1], '*', 'd', ARGV[1])
  return 1
end
return 0
`;

const GROUP = 'fire';

export class RedisWebhookInbox implements WebhookInbox {
  private readonly link: RedisLink;
  private readonly stream: string;
  private readonly consumers = new Set<InboxConsumer>();

  constructor(private readonly options: { redisUrl: string; prefix: string; logger: Logger }) {
    this.link = new RedisLink({ url: options.redisUrl, logger: options.logger, purpose: 'webhook inbox' });
    this.stream = `${options.prefix}:webhooks`;
  }

  async accept(delivery: WebhookDelivery, replayKey: string, windowMs: number): Promise<'accepted' | 'replay'> {
    try {
      await this.link.ready();
      const ok = await this.link.client.eval(ACCEPT, 2, this.stream, `${this.options.prefix}:webhook-seen:${replayKey}`, JSON.stringify(delivery), Math.max(1, windowMs));
      return Number(ok) === 1 ? 'accepted' : 'replay';
    } catch (e) {
      throw unavailable(e);
    }
  }

  async pending(): Promise<number> {
    return this.link.run((c) => c.xlen(this.stream)).catch((e: unknown) => {
      throw unavailable(e);
    });
  }

  async consume(handler: (d: WebhookDelivery) => Promise<void>, options: InboxConsumeOptions = {}): Promise<InboxConsumer> {
    const retryMs = options.retryMs ?? 5_000;
    const claimAfterMs = Math.min(options.claimAfterMs ?? 30_000, retryMs);
    // A blocking read ties up its connection: each consumer has its own.
    const readerLink = this.link.duplicate('blocking', 'webhook inbox reader');
    const reader = readerLink.client;
    await readerLink.ready().catch((e: unknown) => {
      readerLink.client.disconnect();
      throw unavailable(e);
    });
    await reader.xgroup('CREATE', this.stream, GROUP, '0', 'MKSTREAM').catch((e: Error) => {
      if (!/BUSYGROUP/.test(e.message)) throw e;
    });
    const me = `c-${randomUUID().slice(0, 12)}`;
    let stopped = false;

    const handle = async (id: string, fields: string[]): Promise<void> => {
      const raw = fields[fields.indexOf('d') + 1];
      try {
        if (raw !== undefined) await handler(JSON.parse(raw) as WebhookDelivery);
        await reader.multi().xack(this.stream, GROUP, id).xdel(this.stream, id).exec();
      } catch (err) {
        // Left pending: XAUTOCLAIM hands it out again once idle.
        this.options.logger.warn({ err: String(err), id }, 'webhook delivery failed; will retry');
      }
    };

    const loop = (async () => {
      while (!stopped) {
        try {
          const claimed = (await reader.xautoclaim(this.stream, GROUP, me, claimAfterMs, '0-0', 'COUNT', 10)) as [
            string,
            Array<[string, string[]] | null>,
          ];
          for (const entry of claimed[1] ?? []) if (entry && !stopped) await handle(entry[0], entry[1]);
          const read = (await reader.xreadgroup('GROUP', GROUP, me, 'COUNT', 10, 'BLOCK', 250, 'STREAMS', this.stream, '>')) as
            | Array<[string, Array<[string, string[]]>]>
            | null;
          for (const [, entries] of read ?? []) for (const [id, fields] of entries) await handle(id, fields);
        } catch (err) {
          if (stopped) break;
          this.options.logger.warn({ err: String(err) }, 'webhook inbox read failed');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();

    const consumer: InboxConsumer = {
      close: async () => {
        stopped = true;
        await loop;
        readerLink.client.disconnect();
        this.consumers.delete(consumer);
      },
    };
    this.consumers.add(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.close()));
    await this.link.close();
  }
}

function unavailable(e: unknown): WhirlError {
  if (e instanceof WhirlError && e.code === 'WHIRL_UNAVAILABLE') return e;
  return new WhirlError('WHIRL_UNAVAILABLE', [`webhook inbox: ${e instanceof Error ? e.message : String(e)}`], { cause: e });
}
