/**
 * bench/web — web actions, API routes, webhook acceptance and throttle checks, each beside a baseline measured in
 * the same run (embedded Whirl: in-process queue, file store, local runtime processes).
 *
 *   npx tsx bench/web/main.ts [--n 300]      (WHIRL_TEST_REDIS_URL set: also the Redis throttle counters)
 *
 * Prints, never asserts: benchmarks are not tests.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisThrottleCounters } from '../../src/adapters/counters/redis-throttle-counters.js';
import { hmacSha256Hex } from '../../src/domain/webhook.js';
import { NamespaceThrottle } from '../../src/engine/throttles/namespace-throttle.js';
import { systemClock } from '../../src/ports/clock.js';
import { silentLogger } from '../../src/ports/logger.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startWhirl } from '../../src/main.js';
import { GUEST_KEY } from '../../test/helpers/whirl-process.js';
import { fmt, percentile, timeEach } from '../lib/stats.js';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '300' } } });
const n = Number(args.n);

function line(label: string, samples: number[]): void {
  console.log(`  ${label.padEnd(46)} p50 ${fmt(percentile(samples, 50)).padStart(7)} ms  p99 ${fmt(percentile(samples, 99)).padStart(7)} ms`);
}

async function main(): Promise<void> {
  console.log(`bench/web — ${new Date().toISOString()} — node ${process.version} — n=${n} sequential`);
  const dataDir = mkdtempSync(join(tmpdir(), 'whirl-bench-'));
  const handle = await startWhirl(
    loadConfig({ WHIRL_PORT: '0', WHIRL_LOG_LEVEL: 'error', WHIRL_DATA_DIR: dataDir, WHIRL_GUEST_KEY: GUEST_KEY, WHIRL_INVOKER_ID: 'benchweb' }),
  );
  const whirl = { url: handle.url! };
  const auth = `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`;
  const put = (path: string, body: unknown) =>
    fetch(`${whirl.url}${path}`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  try {
    await put('/api/v1/namespaces/_/actions/echo', {
      exec: { kind: 'nodejs:default', code: 'function main(p){return {name:p.name}}' },
      annotations: [{ key: 'web-export', value: true }],
    });
    await put('/api/v1/namespaces/_/apis', { basePath: '/b', relPath: '/echo', operation: 'GET', action: 'echo' });
    await put('/api/v1/namespaces/_/triggers/hook', { annotations: [{ key: 'webhook', value: { type: 'github', secret: 's' } }] });
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${whirl.url}${path}`, { headers });
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`${path}: ${res.status}`);
    };
    const invoke = async () => {
      const res = await fetch(`${whirl.url}/api/v1/namespaces/_/actions/echo?blocking=true&result=true`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: '{"name":"x"}',
      });
      await res.arrayBuffer();
    };
    for (let i = 0; i < 20; i++) await invoke(); // warm container, caches, JIT

    console.log('\n[web actions] warm action, blocking');
    line('baseline: REST invoke blocking&result (Basic)', await timeEach(n, invoke));
    line('web action GET .json', await timeEach(n, () => get('/api/v1/web/guest/default/echo.json?name=x')));
    line('API route GET /apis/guest/b/echo', await timeEach(n, () => get('/apis/guest/b/echo?name=x')));

    console.log('\n[webhooks] accept = verify + fsync to the inbox log, before the 202');
    line('baseline: GET /ping', await timeEach(n, () => get('/ping')));
    line('webhook POST (GitHub signature) → 202', await timeEach(n, async () => {
      const body = JSON.stringify({ id: randomUUID() });
      const res = await fetch(`${whirl.url}/api/v1/webhooks/guest/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${hmacSha256Hex('s', body)}` },
        body,
      });
      await res.arrayBuffer();
    }));
  } finally {
    await handle.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const redisUrl = process.env.WHIRL_TEST_REDIS_URL;
  if (redisUrl) {
    console.log('\n[throttles] one admission (rate + concurrency slot) against Redis');
    const redis = new Redis(redisUrl);
    const prefix = `whirl-bench-${randomUUID().slice(0, 8)}:throttle`;
    const counters = new RedisThrottleCounters({ redisUrl, prefix, logger: silentLogger });
    const throttle = new NamespaceThrottle({
      counters,
      settings: { invocationsPerMinute: 1e9, concurrentInvocations: 1e9, firesPerMinute: 0, namespaces: {} },
      clock: systemClock,
    });
    try {
      line('baseline: raw Redis PING', await timeEach(n, async () => void (await redis.ping())));
      line('admitInvocation + release', await timeEach(n, async (i) => {
        await throttle.admitInvocation('ns', `a${i}`, 60_000);
        await throttle.release('ns', `a${i}`);
      }));
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await counters.close();
      redis.disconnect();
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
