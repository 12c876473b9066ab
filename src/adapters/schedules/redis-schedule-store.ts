import { WhirlError } from '../../errors/whirl-error.js';
import type { Logger } from '../../ports/logger.js';
import type { Schedule, ScheduleStore } from '../../ports/schedule-store.js';
import { RedisLink } from '../redis/redis-link.js';

/**
 * Schedules in Redis, shared by every API process: a hash `<prefix>:schedules` (id → JSON), a hash
 * `<prefix>:last` (id → last claimed tick) and one key per claimed tick `<prefix>:claim:<id>:<at>` set with NX and
 * a TTL. The claim and the `last` update run in one Lua script, so a tick is claimed by exactly one process and
 * `last` never moves backwards.
 */
const CLAIM = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[3]) then
  local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
  if tonumber(ARGV[2]) > last then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
  return 1
end
return 0`;

/** A claim outlives any catch-up window; after that the tick is behind `last` and never considered again. */
const CLAIM_TTL_MS = 7 * 24 * 3600 * 1000;

export class RedisScheduleStore implements ScheduleStore {
  private readonly link: RedisLink;
  private get redis(): RedisLink['client'] {
    return this.link.client;
  }

  constructor(options: { redisUrl: string; prefix: string; logger: Logger }) {
    this.link = new RedisLink({ url: options.redisUrl, logger: options.logger, purpose: 'schedule store' });
    this.keys = {
      schedules: `${options.prefix}:schedules`,
      last: `${options.prefix}:last`,
      claim: (id, at) => `${options.prefix}:claim:${id}:${at}`,
    };
  }

  private readonly keys: { schedules: string; last: string; claim: (id: string, at: number) => string };

  async put(schedule: Schedule): Promise<void> {
    await this.call(() => this.redis.hset(this.keys.schedules, schedule.id, JSON.stringify(schedule)));
  }

  async get(id: string): Promise<Schedule | undefined> {
    const raw = await this.call(() => this.redis.hget(this.keys.schedules, id));
    return raw ? (JSON.parse(raw) as Schedule) : undefined;
  }

  async delete(id: string): Promise<void> {
    await this.call(() => this.redis.multi().hdel(this.keys.schedules, id).hdel(this.keys.last, id).exec());
  }

  async list(): Promise<Schedule[]> {
    const all = await this.call(() => this.redis.hvals(this.keys.schedules));
    return all.map((raw) => JSON.parse(raw) as Schedule);
  }

  async claimTick(id: string, at: number): Promise<boolean> {
    const won = await this.call(() =>
      this.redis.eval(CLAIM, 2, this.keys.claim(id, at), this.keys.last, id, String(at), String(CLAIM_TTL_MS)),
    );
    return won === 1;
  }

  async lastTick(id: string): Promise<number | undefined> {
    const raw = await this.call(() => this.redis.hget(this.keys.last, id));
    return raw === null ? undefined : Number(raw);
  }

  async close(): Promise<void> {
    await this.link.close();
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      await this.link.ready();
      return await fn();
    } catch (err) {
      throw new WhirlError('WHIRL_UNAVAILABLE', [`schedule store: ${(err as Error).message}`], { cause: err });
    }
  }
}
