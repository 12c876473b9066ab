import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';
import { freePort, startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { scrapeSample } from '../helpers/metrics-text.js';

/**
 * "Nothing accepted is lost": an invoker process is killed -9 while it runs activations. Another invoker picks the
 * stalled deliveries up and, because the actions may have partially run, records them as whisk internal errors
 * (at-most-once) — every accepted activation ends with exactly one record.
 */
describeWith(['redis', 'couchdb'], 'an invoker killed -9 mid-activation', () => {
  const id = randomUUID().slice(0, 8);
  const shared = {
    WHIRL_QUEUE: 'bullmq',
    WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
    WHIRL_QUEUE_NAME: `whirl-crash-${id}`,
    WHIRL_STORE: 'couchdb',
    WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
    WHIRL_COUCHDB_PREFIX: `whirl_crash_${id}_`,
    WHIRL_CONTAINERS: 'process',
    WHIRL_QUEUE_LOCK_MS: '1500',
    WHIRL_QUEUE_STALLED_CHECK_MS: '500',
  };
  let api: TestWhirl;
  const invokers: WhirlProcess[] = [];
  beforeAll(async () => {
    api = await startTestWhirl('embedded', { ...shared, WHIRL_ROLE: 'api' });
  });
  afterAll(async () => {
    for (const p of invokers) await p.stop();
    await api?.stop();
  });

  it('ends every accepted activation with exactly one record', async () => {
    const metricsPort = await freePort();
    invokers.push(
      await startWhirlProcess({ ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `a${id}`, WHIRL_METRICS_PORT: String(metricsPort) }),
    );
    const code = `function main(p) { return new Promise(r => setTimeout(() => r({ n: p.n }), p.ms)); }`;
    expect((await api.api('PUT', '/api/v1/namespaces/_/actions/slow', { exec: { kind: 'nodejs:20', code } })).status).toBe(200);

    // Quick ones complete normally on the first invoker; slow ones are in flight when it dies.
    const quick = await api.api('POST', '/api/v1/namespaces/_/actions/slow?blocking=true', { n: 0, ms: 1 });
    expect(quick.status).toBe(200);
    const ids: string[] = [];
    for (let n = 1; n <= 4; n++) {
      const r = await api.api('POST', '/api/v1/namespaces/_/actions/slow', { n, ms: 20_000 });
      expect(r.status).toBe(202);
      ids.push(r.body.activationId);
    }
    // The first invoker has taken all four (one busy container each) before it dies, however slow the machine.
    const busy = () => scrapeSample(`http://127.0.0.1:${metricsPort}/metrics`, 'whirl_containers', { state: 'busy' });
    await eventually(async () => ((await busy()) >= 4 ? true : undefined), 60_000, 100);
    await invokers[0]!.kill();
    invokers.push(await startWhirlProcess({ ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `b${id}` }));

    for (const activationId of ids) {
      const rec = await eventually(async () => {
        const r = await api.api('GET', `/api/v1/namespaces/_/activations/${activationId}`);
        return r.status === 200 ? r.body : undefined;
      }, 20_000);
      expect(rec.response.status).toBe('whisk internal error');
      expect(rec.response.result.error).toMatch(/invoker running this activation stopped/);
    }
    const all = await api.api('GET', '/api/v1/namespaces/_/activations?limit=200');
    const seen = all.body.map((r: { activationId: string }) => r.activationId);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);

    // The surviving invoker serves new work normally.
    const after = await api.api('POST', '/api/v1/namespaces/_/actions/slow?blocking=true', { n: 9, ms: 1 });
    expect(after.status).toBe(200);
    expect(after.body.response.result).toEqual({ n: 9 });
  }, 90_000);
});
