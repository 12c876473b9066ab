import { randomUUID } from 'node:crypto';
import nano from 'nano';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { eventually } from '../helpers/whirl.js';
import { GUEST_KEY, startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';

/**
 * The composition engine (in the API process) is killed -9 mid-execution while the invoker keeps running steps. A
 * new API process resumes the execution from its stored snapshot: it finishes, and every step's activation exists
 * exactly once (no step re-run, none lost).
 */
describeWith(['redis', 'couchdb'], 'a composition engine killed -9 mid-execution', () => {
  const id = randomUUID().slice(0, 8);
  const prefix = `whirl_ccrash_${id}_`;
  const shared = {
    WHIRL_QUEUE: 'bullmq',
    WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
    WHIRL_QUEUE_NAME: `whirl-test-ccrash-${id}`,
    WHIRL_STORE: 'couchdb',
    WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
    WHIRL_COUCHDB_PREFIX: prefix,
    WHIRL_CONTAINERS: 'process',
    WHIRL_COMPOSITION_POLL_MS: '200',
  };
  const procs: WhirlProcess[] = [];
  let api: WhirlProcess;
  const auth = `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}/api/v1/namespaces/_${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    procs.push(await startWhirlProcess({ ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `cc${id}` }));
    api = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'api' });
    procs.push(api);
  }, 60_000);
  afterAll(async () => {
    for (const p of procs) await p.stop().catch(() => {});
    const server = nano(serviceUrl('couchdb')!);
    for (const db of await server.db.list()) if (db.startsWith(prefix)) await server.db.destroy(db).catch(() => {});
  });

  it('resumes after a restart; each step ran exactly once', async () => {
    const code = 'function main(p) { return new Promise((r) => setTimeout(() => r({ n: (p.n || 0) + 1 }), 250)); }';
    expect((await call('PUT', '/actions/step', { exec: { kind: 'nodejs:default', code } })).status).toBe(200);
    const definition = { whirl: '1', root: { type: 'repeat', times: 6, do: { type: 'task', action: 'step' } } };
    expect((await call('PUT', '/compositions/chain', { definition })).status).toBe(200);
    const started = await call('POST', '/compositions/chain', { n: 0 });
    expect(started.status).toBe(202);
    const execId = started.body.activationId;

    await eventually(async () => {
      const list = await call('GET', '/activations?name=step');
      return list.body.length >= 2 ? true : undefined;
    }, 30_000);
    await api.kill();
    api = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'api' });
    procs.push(api);

    const status = await eventually(async () => {
      const r = await call('GET', `/compositions/chain/executions/${execId}`);
      return r.body.status === 'running' ? undefined : r.body;
    }, 45_000, 200);
    expect(status.status).toBe('succeeded');
    expect(status.result).toEqual({ n: 6 });

    // Step records are written in batches after the engine heard their results, so the last one may land just after
    // the execution ended: wait for six, then list again once a batch period has passed, so a seventh (a step run
    // twice) would show.
    const listSteps = async () => (await call('GET', '/activations?name=step&limit=100')).body as any[];
    await eventually(async () => ((await listSteps()).length >= 6 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const steps = await listSteps();
    expect(steps).toHaveLength(6);
    const record = (await call('GET', `/activations/${execId}`)).body;
    expect([...record.logs].sort()).toEqual(steps.map((s: any) => s.activationId).sort());
    expect(steps.every((s: any) => s.cause === execId)).toBe(true);
  }, 120_000);
});
