import { randomUUID } from 'node:crypto';
import nano from 'nano';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CouchInvokerRegistry } from '../../src/adapters/registry/couch-invoker-registry.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/**
 * The Kafka deployment without Redis (docker-compose's `kafka` profile): two API processes and an invoker process
 * on Kafka + CouchDB, WHIRL_REDIS_URL pointing where nothing listens. The invoker registry and the throttle
 * counters are shared through CouchDB (WHIRL_COORDINATION defaults to `store`): both APIs see the invoker, and a
 * per-minute limit holds across both.
 */
describeWith(['kafka', 'couchdb'], 'Kafka + CouchDB deployment, no Redis', () => {
  const id = randomUUID().slice(0, 8);
  const prefix = `whirl_test_ktopo_${id}_`;
  const shared = {
    WHIRL_QUEUE: 'kafka',
    WHIRL_KAFKA_BROKERS: serviceUrl('kafka') ?? '',
    WHIRL_KAFKA_PARTITIONS: '2',
    WHIRL_QUEUE_NAME: `whirl-ktopo-${id}`,
    WHIRL_STORE: 'couchdb',
    WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
    WHIRL_COUCHDB_PREFIX: prefix,
    WHIRL_REDIS_URL: 'redis://127.0.0.1:1',
    WHIRL_CONTAINERS: 'process',
    WHIRL_PREWARM: '',
    WHIRL_INVOKER_HEARTBEAT_MS: '300',
    WHIRL_THROTTLE_INVOCATIONS_PER_MINUTE: '6',
  };
  const apis: TestWhirl[] = [];
  let invoker: WhirlProcess | undefined;
  beforeAll(async () => {
    invoker = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `k${id}` });
    apis.push(await startTestWhirl('embedded', { ...shared, WHIRL_ROLE: 'api' }));
    apis.push(await startTestWhirl('embedded', { ...shared, WHIRL_ROLE: 'api' }));
  }, 90_000);
  afterAll(async () => {
    for (const a of apis) await a.stop();
    await invoker?.stop();
    const server = nano(serviceUrl('couchdb') ?? '');
    for (const db of ['entities', 'activations', 'executions', 'coordination']) await server.db.destroy(`${prefix}${db}`).catch(() => {});
  });

  it('shares the invoker registry through CouchDB', async () => {
    const registry = new CouchInvokerRegistry({ url: serviceUrl('couchdb') ?? '', prefix, forgetMs: 60_000 });
    const seen = await eventually(async () => {
      const list = await registry.list();
      return list.find((s) => s.id === `k${id}` && s.ageMs < 5_000);
    }, 20_000);
    expect(seen.memoryMB).toBeGreaterThan(0);
  });

  it('runs invokes through either API, and holds a per-minute limit across both', async () => {
    // A whole minute window ahead, however slow the machine (rate windows are clock minutes).
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 25_000) await new Promise((r) => setTimeout(r, left + 100));
    const [a, b] = apis as [TestWhirl, TestWhirl];
    const put = await a.api('PUT', '/api/v1/namespaces/_/actions/inc', {
      exec: { kind: 'nodejs:default', code: 'function main(p) { return { x: (p.x || 0) + 1 }; }' },
    });
    expect(put.status).toBe(200);
    const first = await b.api('POST', '/api/v1/namespaces/_/actions/inc?blocking=true&result=true', { x: 1 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ x: 2 });
    const statuses = [first.status];
    for (let i = 0; i < 8; i++) {
      const via = i % 2 === 0 ? a : b;
      statuses.push((await via.api('POST', '/api/v1/namespaces/_/actions/inc', { x: i })).status);
    }
    // Six admitted in all (one blocking, five non-blocking), whichever API process took them; the rest 429.
    expect(statuses.filter((s) => s === 200 || s === 202)).toHaveLength(6);
    expect(statuses.slice(6)).toEqual([429, 429, 429]);
  }, 60_000);
});
