import { randomUUID } from 'node:crypto';
import nano from 'nano';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serviceUrl } from '../helpers/services.js';
import { eventually } from '../helpers/whirl.js';
import { startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { Tally, call, checkRecords, describeWithEnv, listedActivationIds, sleep, startPrivateRedis, type PrivateService } from './fault-kit.js';

/**
 * Redis (AOF on) is killed -9 and restarted on the same port and data dir while activations are queued and running.
 * Everything the API accepted (202) was in Redis's AOF before the answer, so it comes back: each accepted activation
 * ends with exactly one record. Jobs whose record was stored but whose acknowledgement died with Redis come back as
 * redelivered; the idempotent store keeps their first record.
 */
describeWithEnv(['couchdb'], ['WHIRL_TEST_REDIS_SERVER_BIN'], 'Redis killed -9 and restarted (AOF) with work queued', () => {
  const id = randomUUID().slice(0, 8);
  const prefix = `whirl_fredis_${id}_`;
  let redis: PrivateService;
  const procs: WhirlProcess[] = [];
  let api: WhirlProcess;

  beforeAll(async () => {
    redis = await startPrivateRedis(process.env.WHIRL_TEST_REDIS_SERVER_BIN!);
    const shared = {
      WHIRL_QUEUE: 'bullmq',
      WHIRL_REDIS_URL: redis.url,
      WHIRL_QUEUE_NAME: `whirl-test-fredis-${id}`,
      WHIRL_STORE: 'couchdb',
      WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
      WHIRL_COUCHDB_PREFIX: prefix,
      WHIRL_CONTAINERS: 'process',
      WHIRL_QUEUE_LOCK_MS: '2000',
      WHIRL_QUEUE_STALLED_CHECK_MS: '500',
    };
    procs.push(await startWhirlProcess({ ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `fr${id}`, WHIRL_INVOKER_CONCURRENCY: '4' }));
    api = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'api' });
    procs.push(api);
  }, 90_000);
  afterAll(async () => {
    for (const p of procs) await p.stop().catch(() => {});
    await redis?.destroy();
    const server = nano(serviceUrl('couchdb')!);
    for (const db of await server.db.list()) if (db.startsWith(prefix)) await server.db.destroy(db).catch(() => {});
  });

  it('ends every accepted activation with exactly one record', async () => {
    const code = 'function main(p) { return new Promise((r) => setTimeout(() => r({ n: p.n }), 200)); }';
    expect((await call(api.url, 'PUT', '/actions/sleepy', { exec: { kind: 'nodejs:20', code } }))?.status).toBe(200);

    // A bounded loop of non-blocking invokes; Redis dies a third of the way in and is back a second later.
    const tally = new Tally();
    const N = 60;
    for (let n = 0; n < N; n++) {
      if (n === 20) {
        await redis.proc.kill('SIGKILL');
        // Requests during the outage: each is refused (5xx) or left unanswered; neither counts as accepted.
        const during = Array.from({ length: 5 }, (_, k) => call(api.url, 'POST', '/actions/sleepy', { n: 1000 + k }, 5_000));
        await sleep(1000);
        await redis.proc.start();
        for (const r of await Promise.all(during)) tally.add(r);
        // The Redis clients reconnect with backoff; until then invokes are refused (503: not accepted).
        await eventually(async () => {
          const r = await call(api.url, 'POST', '/actions/sleepy', { n: 2000 }, 5_000);
          tally.add(r);
          return r?.status === 202 ? true : undefined;
        }, 30_000, 200);
      }
      tally.add(await call(api.url, 'POST', '/actions/sleepy', { n }, 20_000));
    }
    console.log(`[faults] redis restart: loop ${JSON.stringify(tally.statuses)}`);
    expect(tally.accepted.length).toBeGreaterThanOrEqual(N - 5);

    const listed = await eventually(async () => {
      const ids = await listedActivationIds(api.url);
      return checkRecords(tally, ids).missing.length === 0 ? ids : undefined;
    }, 90_000, 500);
    await sleep(3000); // redeliveries of acknowledged-but-lost jobs would land now
    const verdict = checkRecords(tally, await listedActivationIds(api.url));
    console.log(`[faults] redis restart: ${JSON.stringify(tally.statuses)}, ${listed.length} records`);
    expect(verdict.missing).toEqual([]);
    expect(verdict.duplicated).toEqual([]);
    expect(verdict.extra).toBeLessThanOrEqual(tally.unknown);

    // Work after the restart runs normally.
    const after = await call(api.url, 'POST', '/actions/sleepy?blocking=true', { n: 7 });
    expect(after?.status).toBe(200);
    expect(after?.body.response.result).toEqual({ n: 7 });
  }, 180_000);
});
