import { Redis, type RedisOptions } from 'ioredis';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { Logger } from '../../../ports/logger.js';

/**
 * A non-blocking Redis connection that fails fast: with no offline queue, a command issued while Redis is
 * unreachable rejects at once instead of waiting for a reconnect, so publishers can answer 503 promptly.
 * ioredis keeps reconnecting in the background; `ready()` says whether a command may go through now.
 */
export class RedisLink {
  readonly client: Redis;
  private lastError = 'not connected yet';
  private loggedError: string | undefined;

  constructor(
    redisUrl: string,
    private readonly logger: Logger,
    private readonly connectTimeoutMs: number,
    extra: RedisOptions = {},
  ) {
    this.client = new Redis(redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: connectTimeoutMs,
      // A frozen (not closed) Redis would otherwise hang publishers forever.
      commandTimeout: Math.max(connectTimeoutMs, 1000),
      ...extra,
    });
    this.client.on('error', (err: Error) => {
      this.lastError = err.message;
      // One line per distinct failure, not one per reconnect attempt.
      if (this.loggedError !== err.message) {
        this.loggedError = err.message;
        this.logger.warn({ err: err.message }, 'queue redis connection error');
      }
    });
    this.client.on('ready', () => {
      if (this.loggedError !== undefined) this.logger.info({}, 'queue redis connection restored');
      this.loggedError = undefined;
    });
  }

  isReady(): boolean {
    return this.client.status === 'ready';
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
