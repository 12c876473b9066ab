import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeHash } from '../../src/engine/placement.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';
import { freePort, startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { scrapeSample } from '../helpers/metrics-text.js';
import { RedisInvokerRegistry } from '../../src/adapters/registry/redis-invoker-registry.js';

/**
 * Many invokers (issue 3): an API process and two invoker processes on one Redis. Invokers join without restarting
 * the API, share the work by placement, and when one is killed -9 mid-run every accepted activation still ends with
 * exactly one record: the ones it had started as whisk internal errors, the ones placed on it but never started
 * run by the survivor. Actions report `__OW_API_HOST`, which each invoker sets to a value of its own.
 */
describeWith(['redis', 'couchdb'], 'scale-out: two invoker processes', () => {
  const id = randomUUID().slice(0, 8);
  const shared = {
    WHIRL_QUEUE: 'bullmq',
    WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
    WHIRL_QUEUE_NAME: `whirl-scale-${id}`,
    WHIRL_STORE: 'couchdb',
    WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
    WHIRL_COUCHDB_PREFIX: `whirl_scale_${id}_`,
    WHIRL_CONTAINERS: 'process',
    WHIRL_PREWARM: '',
    WHIRL_QUEUE_LOCK_MS: '1500',
    WHIRL_QUEUE_STALLED_CHECK_MS: '500',
    WHIRL_INVOKER_HEARTBEAT_MS: '300',
    WHIRL_INVOKER_DEAD_MS: '2000',
  };
  // Eight actions whose homes, on a ring of two, are split between both invokers.
  const names = Array.from({ length: 8 }, (_, i) => `w${i}`);
  let api: TestWhirl;
  const invokers: WhirlProcess[] = [];
  beforeAll(async () => {
    api = await startTestWhirl('embedded', { ...shared, WHIRL_ROLE: 'api' });
  });
  afterAll(async () => {
    for (const p of invokers) await p.stop();
    await api?.stop();
  });

  const invokeAll = async (blocking: boolean, params: object) =>
    Promise.all(
      names.map((n) => api.api('POST', `/api/v1/namespaces/_/actions/${n}${blocking ? '?blocking=true' : ''}`, params)),
    );
  const recordOf = (activationId: string) =>
    eventually(async () => {
      const r = await api.api('GET', `/api/v1/namespaces/_/activations/${activationId}`);
      return r.status === 200 ? r.body : undefined;
    }, 30_000);

  it('shares load, takes a new invoker without an API restart, and survives one killed -9', async () => {
    expect(new Set(names.map((n) => homeHash('guest', `guest/${n}`) % 2)).size).toBe(2);
    // Each invoker passes its own API host to the actions it runs (__OW_API_HOST): that says which one ran an
    // activation, also from inside a sandbox's pid namespace.
    const code = `function main(p) { return new Promise(r => setTimeout(() => r({ who: process.env.__OW_API_HOST }), p.ms || 0)); }`;
    for (const n of names) {
      expect((await api.api('PUT', `/api/v1/namespaces/_/actions/${n}`, { exec: { kind: 'nodejs:20', code } })).status).toBe(200);
    }

    // The API is up first; invokers join later.
    const aHost = `http://a${id}.invoker`;
    const a = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `a${id}`, WHIRL_API_HOST: aHost });
    invokers.push(a);
    const bMetrics = await freePort();
    const bHost = `http://b${id}.invoker`;
    const b = await startWhirlProcess({
      ...shared,
      WHIRL_ROLE: 'invoker',
      WHIRL_INVOKER_ID: `b${id}`,
      WHIRL_METRICS_PORT: String(bMetrics),
      WHIRL_API_HOST: bHost,
    });
    invokers.push(b);
    const hosts = new Set([aHost, bHost]);

    // Both get work once the API has seen them (it re-reads the registry every heartbeat period).
    await eventually(async () => {
      const rs = await invokeAll(true, {});
      const seen = new Set(rs.map((r) => r.body.response?.result?.who));
      return seen.size === 2 && [...seen].every((h) => hosts.has(h)) ? true : undefined;
    }, 60_000, 300);

    // Slow activations everywhere, then b dies with some of them in flight.
    const accepted: string[] = [];
    for (const r of [...(await invokeAll(false, { ms: 4000 })), ...(await invokeAll(false, { ms: 4000 }))]) {
      expect(r.status).toBe(202);
      accepted.push(r.body.activationId);
    }
    // b has some of them in hand when it dies, however slow the machine.
    const bBusy = () => scrapeSample(`http://127.0.0.1:${bMetrics}/metrics`, 'whirl_containers', { state: 'busy' });
    await eventually(async () => ((await bBusy()) > 0 ? true : undefined), 60_000, 100);
    await b.kill();
    // Published right after the kill: the API still places some on b (not yet known dead). Nothing started them.
    const afterKill: string[] = [];
    for (const r of await invokeAll(false, { ms: 1 })) {
      expect(r.status).toBe(202);
      afterKill.push(r.body.activationId);
    }

    const records = await Promise.all([...accepted, ...afterKill].map(recordOf));
    const statuses = records.map((r) => r.response.status);
    expect(statuses.filter((s) => s === 'whisk internal error').length).toBeGreaterThan(0); // b's in-flight ones
    for (const s of statuses) expect(['success', 'whisk internal error']).toContain(s);
    for (const r of records.slice(accepted.length)) {
      expect(r.response.status).toBe('success'); // never started: re-dispatched, run once
      expect(r.response.result.who).toBe(aHost);
    }

    // Exactly one record per accepted activation.
    const all = await api.api('GET', '/api/v1/namespaces/_/activations?limit=200');
    const ids = all.body.map((r: { activationId: string }) => r.activationId);
    for (const activationId of [...accepted, ...afterKill]) expect(ids.filter((x: string) => x === activationId)).toHaveLength(1);

    // No new work for the dead invoker once its silence passed WHIRL_INVOKER_DEAD_MS: everything now runs on a.
    const registry = new RedisInvokerRegistry({ redisUrl: shared.WHIRL_REDIS_URL, prefix: shared.WHIRL_QUEUE_NAME, forgetMs: 600_000 });
    await eventually(async () => {
      const dead = (await registry.list()).find((s) => s.id === `b${id}`);
      // Placement re-reads the registry every heartbeat: one more period after b is seen dead.
      return !dead || dead.ageMs > Number(shared.WHIRL_INVOKER_DEAD_MS) + 1_000 ? true : undefined;
    }, 30_000);
    await registry.close();
    for (const r of await invokeAll(true, {})) {
      expect(r.status).toBe(200);
      expect(r.body.response.result.who).toBe(aHost);
    }
  }, 120_000);
});
