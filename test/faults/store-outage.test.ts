import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serviceUrl } from '../helpers/services.js';
import { eventually } from '../helpers/whirl.js';
import { startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { Tally, call, checkRecords, describeWithEnv, listedActivationIds, sleep, startPrivatePouch, type PrivateService } from './fault-kit.js';

/**
 * The CouchDB-protocol store (a private on-disk pouchdb-server) is stopped for 30 s while invokes keep coming and a
 * composition runs. Invokers keep finishing activations; their records wait in the RecordWriter (retried with
 * backoff) and the queue deliveries stay unfinished until stored. When the store is back every accepted activation
 * has exactly one record and the composition completes.
 */
describeWithEnv(['redis'], [], 'the CouchDB-protocol store stopped for 30 s under load', () => {
  const id = randomUUID().slice(0, 8);
  let store: PrivateService;
  const procs: WhirlProcess[] = [];
  let api: WhirlProcess;

  beforeAll(async () => {
    store = await startPrivatePouch();
    const shared = {
      WHIRL_QUEUE: 'bullmq',
      WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
      WHIRL_QUEUE_NAME: `whirl-test-fstore-${id}`,
      WHIRL_STORE: 'couchdb',
      WHIRL_COUCHDB_URL: store.url,
      WHIRL_COUCHDB_PREFIX: `whirl_fstore_${id}_`,
      WHIRL_CONTAINERS: 'process',
      WHIRL_COMPOSITION_POLL_MS: '200',
    };
    procs.push(await startWhirlProcess({ ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `fs${id}` }));
    api = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'api' });
    procs.push(api);
  }, 90_000);
  afterAll(async () => {
    for (const p of procs) await p.stop().catch(() => {});
    await store?.destroy();
  });

  it('stores every accepted activation exactly once after the store is back; the composition completes', async () => {
    const code = 'function main(p) { return new Promise((r) => setTimeout(() => r({ n: (p.n || 0) + 1 }), p.ms || 100)); }';
    expect((await call(api.url, 'PUT', '/actions/step', { exec: { kind: 'nodejs:20', code } }))?.status).toBe(200);
    const definition = { whirl: '1', root: { type: 'repeat', times: 20, do: { type: 'task', action: 'step' } } };
    expect((await call(api.url, 'PUT', '/compositions/chain', { definition }))?.status).toBe(200);
    const started = await call(api.url, 'POST', '/compositions/chain', { n: 0 });
    expect(started?.status).toBe(202);

    // A bounded loop: one invoke every ~250 ms for ~40 s; the store is down from ~3 s to ~33 s.
    const tally = new Tally();
    const t0 = Date.now();
    let stopped = false;
    let restarted = false;
    for (let n = 0; Date.now() - t0 < 40_000; n++) {
      const at = Date.now() - t0;
      if (!stopped && at > 3_000) {
        // A burst queued just before the stop: these finish while the store is down, so their records wait in the
        // RecordWriter's buffer and their deliveries stay unfinished.
        for (const r of await Promise.all(Array.from({ length: 30 }, (_, k) => call(api.url, 'POST', '/actions/step', { n: 5000 + k, ms: 500 })))) {
          tally.add(r);
        }
        await store.proc.kill('SIGTERM');
        stopped = true;
      }
      if (stopped && !restarted && at > 33_000) {
        await store.proc.start(30_000);
        restarted = true;
      }
      tally.add(await call(api.url, 'POST', '/actions/step', { n }, 5_000));
      await sleep(250);
    }
    if (!restarted) await store.proc.start(30_000);
    console.log(`[faults] store outage: loop ${JSON.stringify(tally.statuses)}`);
    expect(tally.accepted.length).toBeGreaterThan(10);

    await eventually(async () => {
      const ids = await listedActivationIds(api.url).catch(() => []);
      return checkRecords(tally, ids).missing.length === 0 ? true : undefined;
    }, 60_000, 500);
    const listed = await listedActivationIds(api.url);
    const verdict = checkRecords(tally, listed.filter((a) => a !== started!.body.activationId));
    expect(verdict.missing).toEqual([]);
    expect(verdict.duplicated).toEqual([]);

    const exec = await eventually(async () => {
      const r = await call(api.url, 'GET', `/compositions/chain/executions/${started!.body.activationId}`);
      return r && r.status === 200 && r.body.status !== 'running' ? r.body : undefined;
    }, 60_000, 500);
    expect(exec.status).toBe('succeeded');
    expect(exec.result).toEqual({ n: 20 });
    // Step activations (named `step`, caused by the execution) plus the loop's invokes, plus the execution's own
    // record: anything else came from a request that got no answer.
    const causedSteps = (await call(api.url, 'GET', `/activations/${started!.body.activationId}`))?.body.logs as string[];
    expect(causedSteps).toHaveLength(20);
    expect(verdict.extra - causedSteps.length).toBeLessThanOrEqual(tally.unknown);
  }, 200_000);
});
