import { afterAll, expect, it } from 'vitest';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { freePort, startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';

/** An invoker-only process serves no API, but Prometheus must still see its container pool. */
describeWith(['redis', 'couchdb'], 'metrics of an invoker-only process', () => {
  let invoker: WhirlProcess | undefined;
  afterAll(async () => {
    await invoker?.stop();
  });

  it('serves /metrics on WHIRL_METRICS_PORT with the pool and queue series', async () => {
    const port = await freePort();
    invoker = await startWhirlProcess({
      WHIRL_ROLE: 'invoker',
      WHIRL_QUEUE: 'bullmq',
      WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
      WHIRL_QUEUE_NAME: `whirl-test-metrics-${port}`,
      // An invoker-only process needs a store shared with its API (a memory store is refused at start).
      WHIRL_STORE: 'couchdb',
      WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
      WHIRL_COUCHDB_PREFIX: `whirl_test_metrics_${port}_`,
      WHIRL_CONTAINERS: 'process',
      WHIRL_INVOKER_ID: `metrics${port}`,
      WHIRL_METRICS_PORT: String(port),
    });
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^whirl_containers\{/m);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
