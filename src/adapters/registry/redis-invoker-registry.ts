import { WhirlError } from '../../errors/whirl-error.js';
import type { InvokerLoad, InvokerRegistry, InvokerStatus } from '../../ports/invoker-registry.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import { RedisLink } from '../redis/redis-link.js';

/** Stamps a status with Redis server time: one hash of statuses, one of stamps (field = invoker id). */
const HEARTBEAT = `
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ms)
return ms`;

/** Returns server time, then id/status/stamp triples, dropping entries older than ARGV[1] ms. */
const LIST = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = { tostring(now) }
local stamps = redis.call('HGETALL', KEYS[2])
for i = 1, #stamps, 2 do
  local id, at = stamps[i], tonumber(stamps[i + 1])
  local status = redis.call('HGET', KEYS[1], id)
  if now - at >= tonumber(ARGV[1]) or not status then
    redis.call('HDEL', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
  else
    table.insert(out, id)
    table.insert(out, status)
    table.insert(out, tostring(at))
  end
end
return out`;

/**
 * Invoker heartbeats in Redis, under `<prefix>:invokers:*`. Ages use Redis server time, so invokers on hosts with
 * skewed clocks are judged alike. Commands fail fast while Redis is unreachable (no offline queue).
 */
export class RedisInvokerRegistry implements InvokerRegistry {
  private readonly link: RedisLink;
  private readonly keys: [string, string];

  constructor(private readonly options: { redisUrl: string; prefix: string; forgetMs: number; logger?: Logger }) {
    this.link = new RedisLink({
      url: options.redisUrl,
      logger: options.logger ?? silentLogger,
      connectTimeoutMs: 3000,
      purpose: 'invoker registry',
    });
    this.keys = [`${options.prefix}:invokers:status`, `${options.prefix}:invokers:seen`];
  }

  async heartbeat(status: InvokerLoad): Promise<void> {
    const payload = JSON.stringify({ id: status.id, memoryMB: status.memoryMB, freeMB: status.freeMB });
    await this.call((redis) => redis.eval(HEARTBEAT, 2, ...this.keys, status.id, payload));
  }

  async list(): Promise<InvokerStatus[]> {
    const raw = (await this.call((redis) => redis.eval(LIST, 2, ...this.keys, String(this.options.forgetMs)))) as string[];
    const now = Number(raw[0]);
    const out: InvokerStatus[] = [];
    for (let i = 1; i + 2 < raw.length; i += 3) {
      const load = JSON.parse(raw[i + 1]!) as InvokerLoad;
      out.push({ id: raw[i]!, memoryMB: load.memoryMB, freeMB: load.freeMB, ageMs: Math.max(0, now - Number(raw[i + 2])) });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async close(): Promise<void> {
    await this.link.close();
  }

  private async call<T>(command: (redis: RedisLink['client']) => Promise<T>): Promise<T> {
    try {
      return await this.link.run(command);
    } catch (err) {
      throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', [`invoker registry: ${(err as Error).message}`], { cause: err });
    }
  }
}
