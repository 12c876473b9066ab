import { WhirlError } from '../../errors/whirl-error.js';
import type { Logger } from '../../ports/logger.js';
import type { SlotAnswer, ThrottleCounters } from '../../ports/throttle-counters.js';
import { RedisLink } from '../redis/redis-link.js';

/**
 * Counters in Redis, shared by every API process. Rate windows are `INCR` on `<prefix>:rate:<key>:<window>` with
 * an expiry; concurrency slots are a sorted set `<prefix>:slots:<key>` scored by lease end, checked and taken in
 * one Lua script so two processes can never both take the last slot.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
local held = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and held >= tonumber(ARGV[2]) then
  return {0, held}
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
-- The set itself expires a minute after its longest lease (relative, so client and server clocks may differ).
local ttl = redis.call('PTTL', KEYS[1])
local want = tonumber(ARGV[3]) - tonumber(ARGV[4]) + 60000
if ttl < want then redis.call('PEXPIRE', KEYS[1], want) end
return {1, redis.call('ZCARD', KEYS[1])}
`;

const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

export class RedisThrottleCounters implements ThrottleCounters {
  private readonly link: RedisLink;
  private readonly prefix: string;

  constructor(options: { redisUrl: string; prefix: string; logger: Logger; connectTimeoutMs?: number }) {
    this.link = new RedisLink({
      url: options.redisUrl,
      logger: options.logger,
      connectTimeoutMs: options.connectTimeoutMs,
      purpose: 'throttle counters',
    });
    this.prefix = options.prefix;
  }

  async hit(key: string, window: number, ttlMs: number): Promise<number> {
    return Number(await this.call(() => this.link.client.eval(HIT, 1, `${this.prefix}:rate:${key}:${window}`, ttlMs)));
  }

  async acquire(key: string, member: string, limit: number, leaseUntil: number, now: number): Promise<SlotAnswer> {
    const [ok, count] = (await this.call(() =>
      this.link.client.eval(ACQUIRE, 1, this.slotsKey(key), member, limit, leaseUntil, now),
    )) as [number, number];
    return { acquired: ok === 1, count: Number(count) };
  }

  async release(key: string, member: string): Promise<void> {
    await this.call(() => this.link.client.zrem(this.slotsKey(key), member));
  }

  async held(key: string, now: number): Promise<number> {
    const k = this.slotsKey(key);
    return this.call(async () => {
      await this.link.client.zremrangebyscore(k, '-inf', now);
      return this.link.client.zcard(k);
    });
  }

  async close(): Promise<void> {
    await this.link.close();
  }

  private slotsKey(key: string): string {
    return `${this.prefix}:slots:${key}`;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      await this.link.ready();
      return await fn();
    } catch (e) {
      if (e instanceof WhirlError && e.code === 'WHIRL_UNAVAILABLE') throw e;
      throw new WhirlError('WHIRL_UNAVAILABLE', [`throttle counters: ${e instanceof Error ? e.message : String(e)}`], {
        cause: e,
      });
    }
  }
}
