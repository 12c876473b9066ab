import { Redis, type RedisOptions } from 'ioredis';
import { WhirlError } from '../../errors/whirl-error.js';
import type { Logger } from '../../ports/logger.js';

/** Everything a Redis connection of Whirl is opened with: the one set of options (config: `coordination.redis`). */
export interface RedisLinkOptions {
  url: string;
  logger: Logger;
  /** Longest wait for a connection before a command gives up (default 2000 ms); later outages fail at once. */
  connectTimeoutMs?: number;
  /**
   * `command` (the default): fail fast — no offline queue, one retry, a command timeout, so a caller can answer 503
   * at once while Redis is down. `blocking`: for a connection that runs blocking reads (XREADGROUP BLOCK,
   * SUBSCRIBE, BullMQ workers): no command timeout, commands wait through reconnects.
   */
  mode?: 'command' | 'blocking';
  /** Named in log lines ("queue", "webhook inbox", …). */
  purpose?: string;
}

/**
 * The one way Whirl talks to Redis: the queue (BullMQ), the invoker registry, throttle counters, feeds and the
 * webhook inbox all open their connections through this class, so every connection has the same timeouts,
 * reconnect behaviour and log lines. ioredis keeps reconnecting in the background; `ready()` says whether a
 * command may go through now.
 */
export class RedisLink {
  readonly client: Redis;
  private lastError = 'not connected yet';
  private loggedError: string | undefined;
  private readonly connectTimeoutMs: number;
  private readonly logger: Logger;
  private readonly purpose: string;

  constructor(readonly options: RedisLinkOptions) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.logger = options.logger;
    this.purpose = options.purpose ?? 'redis';
    this.client = new Redis(options.url, RedisLink.ioredisOptions(options));
    this.client.on('error', (err: Error) => {
      this.lastError = err.message;
      // One line per distinct failure, not one per reconnect attempt.
      if (this.loggedError !== err.message) {
        this.loggedError = err.message;
        this.logger.warn({ err: err.message, purpose: this.purpose }, 'redis connection error');
      }
    });
    this.client.on('ready', () => {
      if (this.loggedError !== undefined) this.logger.info({ purpose: this.purpose }, 'redis connection restored');
      this.loggedError = undefined;
    });
  }

  /** The ioredis options of a link (BullMQ opens its own connections from them). */
  static ioredisOptions(options: Omit<RedisLinkOptions, 'logger'>): RedisOptions {
    const connectTimeout = options.connectTimeoutMs ?? 2_000;
    if (options.mode === 'blocking') return { connectTimeout, maxRetriesPerRequest: null };
    return {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout,
      // A frozen (not closed) Redis would otherwise hang callers forever.
      commandTimeout: Math.max(connectTimeout, 1000),
    };
  }

  /** Another connection with the same options (a blocking reader beside a command link, say). */
  duplicate(mode: RedisLinkOptions['mode'], purpose = this.purpose): RedisLink {
    return new RedisLink({ ...this.options, mode, purpose });
  }

  isReady(): boolean {
    return this.client.status === 'ready';
  }

  /** Runs `command` once the link is ready (rejecting as `ready()` does when it is not). */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') await this.ready();
    return command(this.client);
  }

  /**
   * Resolves when commands can be sent. Rejects with WHIRL_QUEUE_UNAVAILABLE when Redis is known to be down
   * (reconnecting), or when the first connection fails or outlasts `connectTimeoutMs`.
   */
  ready(): Promise<void> {
    const status = this.client.status;
    if (status === 'ready') return Promise.resolve();
    if (status === 'end' || status === 'close') return Promise.reject(unavailable('connection closed'));
    if (status === 'reconnecting') return Promise.reject(unavailable(this.lastError));
    return new Promise<void>((resolve, reject) => {
      const done = (err?: WhirlError) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('error', onError);
        this.client.off('end', onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const onError = (e: Error) => done(unavailable(e.message));
      const onEnd = () => done(unavailable('connection closed'));
      const timer = setTimeout(() => done(unavailable('connect timeout')), this.connectTimeoutMs);
      this.client.once('ready', onReady);
      this.client.once('error', onError);
      this.client.once('end', onEnd);
    });
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }
}

export function unavailable(reason: string, cause?: unknown): WhirlError {
  return new WhirlError('WHIRL_QUEUE_UNAVAILABLE', [reason], { cause });
}

/** Any failure talking to Redis, as the port's error. WhirlErrors pass through. */
export function asUnavailable(err: unknown): WhirlError {
  if (err instanceof WhirlError) return err;
  return unavailable(err instanceof Error ? err.message : String(err), err);
}
