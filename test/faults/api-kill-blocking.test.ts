import { randomUUID } from 'node:crypto';
import nano from 'nano';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serviceUrl } from '../helpers/services.js';
import { eventually } from '../helpers/whirl.js';
import { startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { Tally, call, checkRecords, describeWithEnv, listedActivationIds, sleep } from './fault-kit.js';

/**
 * The API process is killed -9 while blocking invokes wait for their results. The invoker (its own process) keeps
 * running the published activations and stores their records. Clients whose request was in flight see a connection
 * error — never a made-up answer — and every accepted activation, answered or not, ends with exactly one record.
 */
describeWithEnv(['redis', 'couchdb'], [], 'the API killed -9 during blocking invokes', () => {
  const id = randomUUID().slice(0, 8);
  const prefix = `whirl_fapi_${id}_`;
  const shared = {
    WHIRL_QUEUE: 'bullmq',
    WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
    WHIRL_QUEUE_NAME: `whirl-test-fapi-${id}`,
    WHIRL_STORE: 'couchdb',
    WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
    WHIRL_COUCHDB_PREFIX: prefix,
    WHIRL_CONTAINERS: 'process',
  };
  const procs: WhirlProcess[] = [];
  let api: WhirlProcess;

  beforeAll(async () => {
    procs.push(await startWhirlProcess({ ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `fa${id}`, WHIRL_INVOKER_CONCURRENCY: '16' }));
    api = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'api' });
    procs.push(api);
  }, 90_000);
  afterAll(async () => {
    for (const p of procs) await p.stop().catch(() => {});
    const server = nano(serviceUrl('couchdb')!);
    for (const db of await server.db.list()) if (db.startsWith(prefix)) await server.db.destroy(db).catch(() => {});
  });

  it('answers truthfully or not at all, and records every accepted activation once', async () => {
    const code = 'function main(p) { return new Promise((r) => setTimeout(() => r({ n: p.n }), p.ms)); }';
    expect((await call(api.url, 'PUT', '/actions/wait', { exec: { kind: 'nodejs:20', code } }))?.status).toBe(200);

    // Quick blocking invokes complete before the kill; slow ones (3 s) are waiting for their results when it comes.
    const tally = new Tally();
    for (let n = 0; n < 5; n++) tally.add(await call(api.url, 'POST', '/actions/wait?blocking=true', { n, ms: 10 }));
    const slow = Array.from({ length: 10 }, (_, k) => call(api.url, 'POST', '/actions/wait?blocking=true', { n: 100 + k, ms: 3_000 }));
    await sleep(1_500);
    await api.kill();
    const slowReplies = await Promise.all(slow);
    for (const r of slowReplies) tally.add(r);
    // Requests to the dead API get no answer either.
    for (let n = 0; n < 3; n++) tally.add(await call(api.url, 'POST', '/actions/wait?blocking=true', { n: 200 + n, ms: 10 }, 2_000));
    console.log(`[faults] api kill: ${JSON.stringify(tally.statuses)}`);
    expect(slowReplies.every((r) => r === undefined)).toBe(true);
    expect(tally.refused).toBe(0);

    api = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'api' });
    procs.push(api);
    for (let n = 300; n < 305; n++) tally.add(await call(api.url, 'POST', '/actions/wait?blocking=true', { n, ms: 10 }));

    // The 10 slow ones were published before the kill (the API publishes before it waits), so they end with records.
    const records = await eventually(async () => {
      const ids = await listedActivationIds(api.url);
      return ids.length >= 20 ? ids : undefined;
    }, 30_000, 300);
    await sleep(1_000);
    const verdict = checkRecords(tally, await listedActivationIds(api.url));
    expect(verdict.missing).toEqual([]);
    expect(verdict.duplicated).toEqual([]);
    expect(tally.accepted).toHaveLength(10);
    expect(verdict.extra).toBe(10);
    expect(records.length).toBe(20);
    const slowRecords = await Promise.all(
      (await listedActivationIds(api.url)).map(async (a) => (await call(api.url, 'GET', `/activations/${a}`))?.body),
    );
    const slowResults = slowRecords.map((r) => r.response.result.n).filter((n: number) => n >= 100 && n < 200);
    expect(slowResults.sort()).toEqual(Array.from({ length: 10 }, (_, k) => 100 + k));
  }, 120_000);
});
