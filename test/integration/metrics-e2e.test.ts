import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWhirl, type TestWhirl } from '../helpers/whirl.js';
import { parseMetrics, sampleValue } from '../helpers/metrics-text.js';

/** Metrics move when work runs: a whole embedded Whirl, real invokes, `/metrics` scraped over HTTP. */
describe('metrics end to end (embedded)', () => {
  let w: TestWhirl;
  beforeAll(async () => {
    w = await startTestWhirl('embedded');
  });
  afterAll(async () => w?.stop());

  const scrape = async () => {
    const res = await fetch(`${w.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseMetrics(await res.text());
  };

  it('counts activations by kind and status, cold and warm, with latency histograms and pool state', async () => {
    const before = await scrape();
    expect(sampleValue(before, 'whirl_activations_total', { kind: 'nodejs:20', status: 'success' })).toBeUndefined();
    expect(sampleValue(before, 'whirl_queue_depth')).toBe(0);

    const put = await w.api('PUT', '/api/v1/namespaces/_/actions/metered', {
      exec: { kind: 'nodejs:default', code: 'function main(p) { if (p.fail) return {error: "no"}; return {ok: true}; }' },
    });
    expect(put.status).toBe(200);
    for (const body of [{}, {}, { fail: true }]) {
      const res = await w.api('POST', '/api/v1/namespaces/_/actions/metered?blocking=true', body);
      expect([200, 502]).toContain(res.status);
    }
    // The count moves when the record is stored, a moment after the blocking answer.
    let after = await scrape();
    for (let i = 0; i < 100 && (sampleValue(after, 'whirl_activation_wait_seconds_count', { kind: 'nodejs:20' }) ?? 0) < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await scrape();
    }
    expect(sampleValue(after, 'whirl_activations_total', { kind: 'nodejs:20', status: 'success' })).toBe(2);
    expect(sampleValue(after, 'whirl_activations_total', { kind: 'nodejs:20', status: 'application_error' })).toBe(1);
    expect(sampleValue(after, 'whirl_activation_starts_total', { kind: 'nodejs:20', start: 'cold' })).toBe(1);
    expect(sampleValue(after, 'whirl_activation_starts_total', { kind: 'nodejs:20', start: 'warm' })).toBe(2);
    expect(sampleValue(after, 'whirl_activation_duration_seconds_count', { kind: 'nodejs:20' })).toBe(3);
    expect(sampleValue(after, 'whirl_activation_init_seconds_count', { kind: 'nodejs:20' })).toBe(1);
    // One warm container is left idle in the pool.
    expect(sampleValue(after, 'whirl_containers', { state: 'warm' })).toBe(1);
    expect(sampleValue(after, 'whirl_containers', { state: 'busy' })).toBe(0);
    expect(sampleValue(after, 'whirl_container_pool_memory_mb')).toBeGreaterThanOrEqual(256);
    expect(sampleValue(after, 'whirl_metrics_source_up', { source: 'queueDepth' })).toBe(1);
    expect(sampleValue(after, 'whirl_http_requests_total', { method: 'POST', route: '/api/v1/namespaces/:ns/actions/:name', status: '200' })).toBe(2);
    expect(after.some((s) => s.name === 'whirl_process_resident_memory_bytes')).toBe(true);
  });

  it('exposes a hook for composition execution states on the handle', async () => {
    w.handle.metrics.executionStateChanged({ to: 'running' });
    w.handle.metrics.executionStateChanged({ from: 'running', to: 'succeeded' });
    const s = await scrape();
    expect(sampleValue(s, 'whirl_composition_executions', { state: 'running' })).toBe(0);
    expect(sampleValue(s, 'whirl_composition_executions', { state: 'succeeded' })).toBe(1);
  });
});
