import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startWhirl, type WhirlHandle } from '../../src/main.js';
import type { Clock } from '../../src/ports/clock.js';
import { silentLogger } from '../../src/ports/logger.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { GUEST_KEY } from '../helpers/whirl-process.js';

/**
 * Two complete API processes (two `startWhirl`s sharing Redis and the CouchDB-protocol store) under one injected
 * clock that the test moves forward by whole minutes: every cron tick fires the trigger exactly once.
 * Real timers drive the schedulers' polling; "now" is frozen in the middle of a minute and moves only when the test
 * moves it, so a real minute boundary passing during the test cannot add a tick.
 */
class ShiftedClock implements Clock {
  offset = 0;
  private readonly base = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  now() {
    return this.base + this.offset;
  }
  setTimeout(fn: () => void, ms: number) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  }
}

describeWith(['redis', 'couchdb'], 'schedules across two API processes', () => {
  const id = randomUUID().slice(0, 8);
  const clock = new ShiftedClock();
  const handles: WhirlHandle[] = [];
  const env = {
    WHIRL_ROLE: 'api',
    WHIRL_PORT: '0',
    WHIRL_LOG_LEVEL: 'silent',
    WHIRL_GUEST_KEY: GUEST_KEY,
    WHIRL_QUEUE: 'bullmq',
    WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
    WHIRL_QUEUE_NAME: `whirl-test-sched2-${id}`,
    WHIRL_STORE: 'couchdb',
    WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
    WHIRL_COUCHDB_PREFIX: `whirl_test_sched2_${id}_`,
    WHIRL_SCHEDULE_POLL_MS: '50',
    // Each jump of the clock makes the tick up to 60 s late: keep that "on time" so the policy plays no part.
    WHIRL_SCHEDULE_TOLERANCE_MS: '90000',
    WHIRL_SCHEDULE_MISSED: 'skip',
  };

  const api = async (h: WhirlHandle, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${h.url}/api/v1/namespaces/_${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) handles.push(await startWhirl(loadConfig(env), { clock, logger: silentLogger }));
  });
  afterAll(async () => {
    for (const h of handles) await h.stop();
    const redis = new Redis(serviceUrl('redis')!);
    const keys = await redis.keys(`whirl-test-sched2-${id}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    const couch = serviceUrl('couchdb')!;
    const dbs = (await (await fetch(`${couch}/_all_dbs`)).json()) as string[];
    for (const db of dbs.filter((d) => d.startsWith(`whirl_test_sched2_${id}_`))) {
      await fetch(`${couch}/${encodeURIComponent(db)}`, { method: 'DELETE' });
    }
  });

  it('fires each minute tick once, whichever process claims it', async () => {
    const [a, b] = handles as [WhirlHandle, WhirlHandle];
    expect((await api(a, 'PUT', '/actions/tick', { exec: { kind: 'nodejs:default', code: 'function main(p){return p}' } })).status).toBe(200);
    const trig = await api(b, 'PUT', '/triggers/every-minute', {
      annotations: [{ key: 'feed', value: '/whisk.system/alarms/alarm' }],
      parameters: [
        { key: 'cron', value: '* * * * *' },
        { key: 'trigger_payload', value: { hello: 'tick' } },
      ],
    });
    expect(trig.status, JSON.stringify(trig.body)).toBe(200);
    expect((await api(a, 'PUT', '/rules/on-tick', { trigger: '/_/every-minute', action: '/_/tick' })).status).toBe(200);

    const fires = async () => (await api(a, 'GET', '/activations?name=every-minute&limit=200')).body as unknown[];
    for (let minute = 1; minute <= 3; minute++) {
      clock.offset += 60_000;
      // Both processes poll every 50 ms: give them many chances to race for the tick.
      const deadline = Date.now() + 15_000;
      while ((await fires()).length < minute && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      expect((await fires()).length).toBe(minute);
    }
  });
});
