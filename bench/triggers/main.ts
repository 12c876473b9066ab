/**
 * bench/triggers — trigger fires and schedule claims against baselines measured in the same run.
 *
 *   WHIRL_TEST_REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/triggers/main.ts [--n 500]
 *
 * In one process: a Whirl API (role api, memory queue and store, so nothing but the API path is measured) over a
 * real socket. Prints p50/p99 of sequential requests:
 *   baseline  non-blocking invoke of an action (one queue publish)
 *   fire      trigger fire with 1 and with 5 active rules (trigger read, N publishes, record write)
 * and, with Redis, schedule tick claims (Lua SET NX + HSET) against a bare `SET NX` in the same run.
 * Prints, never asserts.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisScheduleStore } from '../../src/adapters/schedules/redis-schedule-store.js';
import { loadConfig } from '../../src/config/load.js';
import { startWhirl } from '../../src/main.js';
import { silentLogger } from '../../src/ports/logger.js';
import { GUEST_KEY } from '../../test/helpers/whirl-process.js';
import { fmt, percentile, timeEach } from '../lib/stats.js';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '500' } } });
const n = Number(args.n);

const whirl = await startWhirl(
  loadConfig({ WHIRL_ROLE: 'api', WHIRL_PORT: '0', WHIRL_LOG_LEVEL: 'silent', WHIRL_STORE: 'memory', WHIRL_QUEUE: 'memory', WHIRL_METRICS: 'false' }),
  { logger: silentLogger },
);
const auth = `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`;
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${whirl.url}/api/v1/namespaces/_${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status}`);
};

await call('PUT', '/actions/noop', { exec: { kind: 'nodejs:default', code: 'function main(){return {}}' } });
for (const rules of [1, 5]) {
  await call('PUT', `/triggers/t${rules}`, {});
  for (let i = 0; i < rules; i++) await call('PUT', `/rules/r${rules}-${i}`, { trigger: `t${rules}`, action: 'noop' });
}
const row = (label: string, samples: number[]) =>
  console.log(`${label.padEnd(34)} p50 ${fmt(percentile(samples, 50)).padStart(7)} ms   p99 ${fmt(percentile(samples, 99)).padStart(7)} ms`);

await timeEach(50, () => call('POST', '/actions/noop', {})); // warm-up
row('baseline: invoke (non-blocking)', await timeEach(n, () => call('POST', '/actions/noop', { i: 1 })));
await timeEach(50, () => call('POST', '/triggers/t1', {}));
row('fire: 1 rule', await timeEach(n, () => call('POST', '/triggers/t1', { i: 1 })));
row('fire: 5 rules', await timeEach(n, () => call('POST', '/triggers/t5', { i: 1 })));
await whirl.stop();

const redisUrl = process.env.WHIRL_TEST_REDIS_URL;
if (redisUrl) {
  const prefix = `whirl-bench-sched-${randomUUID().slice(0, 8)}`;
  const store = new RedisScheduleStore({ redisUrl, prefix, logger: silentLogger });
  const redis = new Redis(redisUrl);
  await redis.ping();
  await store.lastTick('warm');
  row('baseline: redis SET NX PX', await timeEach(n, (i) => redis.set(`${prefix}:raw:${i}`, '1', 'PX', 60_000, 'NX').then(() => undefined)));
  row('schedule: claimTick (Lua)', await timeEach(n, (i) => store.claimTick('bench/t', i).then(() => undefined)));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await store.close();
  await redis.quit();
}
