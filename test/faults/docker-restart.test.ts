import { randomUUID } from 'node:crypto';
import nano from 'nano';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serviceUrl } from '../helpers/services.js';
import { eventually } from '../helpers/whirl.js';
import { startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { Tally, call, checkRecords, describeWithEnv, listedActivationIds, sleep } from './fault-kit.js';
import { PrivateDockerd } from './private-dockerd.js';

/**
 * The Docker daemon the invoker uses is restarted (SIGTERM: it stops every container, as `systemctl restart docker`
 * does without live-restore) while activations run in its containers. Each in-flight activation ends with exactly
 * one (error) record, and the invoker serves new invokes on fresh containers once the daemon is back.
 *
 * The daemon is a private one (see private-dockerd.ts), so the restart cannot disturb other tests; it needs root
 * and `dockerd` like scripts/services.sh does when it starts the engine.
 */
describeWithEnv(['redis', 'couchdb', 'docker'], [], 'the Docker daemon restarted under load', () => {
  const id = randomUUID().slice(0, 8);
  const prefix = `whirl_fdocker_${id}_`;
  let dockerd: PrivateDockerd;
  const procs: WhirlProcess[] = [];
  let api: WhirlProcess;

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('the Docker restart test needs root to run its own dockerd');
    dockerd = new PrivateDockerd();
    await dockerd.prepare();
    const shared = {
      WHIRL_QUEUE: 'bullmq',
      WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
      WHIRL_QUEUE_NAME: `whirl-test-fdocker-${id}`,
      WHIRL_STORE: 'couchdb',
      WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
      WHIRL_COUCHDB_PREFIX: prefix,
      WHIRL_CONTAINERS: 'docker',
      WHIRL_DOCKER_SOCKET: dockerd.socket,
      WHIRL_CONTAINER_NETWORK: dockerd.network,
    };
    procs.push(await startWhirlProcess({ ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `test${id}` }));
    api = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'api' });
    procs.push(api);
  }, 120_000);
  afterAll(async () => {
    // Killed, not stopped: a graceful invoker stop would wait on the daemon; its containers go with the daemon.
    for (const p of procs) await p.kill().catch(() => {});
    await dockerd?.destroy();
    const server = nano(serviceUrl('couchdb')!);
    for (const db of await server.db.list()) if (db.startsWith(prefix)) await server.db.destroy(db).catch(() => {});
  }, 90_000);

  it('records every in-flight activation once and recovers on fresh containers', async () => {
    const code = 'function main(p) { return new Promise((r) => setTimeout(() => r({ n: p.n }), p.ms)); }';
    expect((await call(api.url, 'PUT', '/actions/wait', { exec: { kind: 'nodejs:20', code } }))?.status).toBe(200);
    const tally = new Tally();
    const warm = await call(api.url, 'POST', '/actions/wait?blocking=true', { n: 0, ms: 10 });
    expect(warm?.status).toBe(200);
    tally.add(warm);
    for (let n = 1; n <= 4; n++) tally.add(await call(api.url, 'POST', '/actions/wait', { n, ms: 20_000 }));
    expect(tally.accepted).toHaveLength(5);
    await sleep(3_000); // in their containers now
    const before = (await dockerd.docker(['ps', '-q'])).stdout.split('\n').filter(Boolean);

    const t0 = Date.now();
    await dockerd.stop();
    await dockerd.start();
    console.log(`[faults] docker restart: daemon down ${Date.now() - t0} ms`);

    const records = await eventually(async () => {
      const ids = await listedActivationIds(api.url);
      return checkRecords(tally, ids).missing.length === 0 ? ids : undefined;
    }, 60_000, 500);
    const verdict = checkRecords(tally, records);
    expect(verdict.duplicated).toEqual([]);
    expect(verdict.extra).toBe(0);
    for (const a of tally.accepted.slice(1)) {
      const rec = (await call(api.url, 'GET', `/activations/${a}`))?.body;
      console.log(`[faults] docker restart: in-flight ${a} → ${rec.response.status} ${JSON.stringify(rec.response.result)}`);
      expect(rec.response.success).toBe(false);
    }

    const t1 = Date.now();
    const after = await eventually(async () => {
      const r = await call(api.url, 'POST', '/actions/wait?blocking=true', { n: 9, ms: 10 });
      return r?.status === 200 && r.body.response.success ? r : undefined;
    }, 60_000, 1_000);
    console.log(`[faults] docker restart: records after ${t1 - t0} ms, first new invoke after ${Date.now() - t1} ms`);
    expect(after.body.response.result).toEqual({ n: 9 });
    const now = (await dockerd.docker(['ps', '-q'])).stdout.split('\n').filter(Boolean);
    expect(now.some((c) => !before.includes(c))).toBe(true);
  }, 200_000);
});
