import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.js';
import { noMetrics } from '../../src/ports/metrics.js';
import { parseMetrics, sampleValue } from '../helpers/metrics-text.js';
import { metricsContract, metricsRecord } from './metrics.contract.js';

metricsContract('prometheus', () => new PrometheusMetrics({ defaultMetrics: false }));
metricsContract('none (noMetrics)', () => noMetrics);

describe('PrometheusMetrics values', () => {
  const scrape = async (m: PrometheusMetrics) => parseMetrics(await m.render());

  it('counts activations by kind and status and observes their timings', async () => {
    const m = new PrometheusMetrics({ defaultMetrics: false });
    m.activationFinished(metricsRecord());
    m.activationFinished(metricsRecord({ annotations: [{ key: 'kind', value: 'nodejs:20' }, { key: 'waitTime', value: 300 }, { key: 'initTime', value: 120 }] }));
    m.activationFinished(metricsRecord({ response: { statusCode: 2, result: { error: 'x' } } }));
    m.activationFinished(metricsRecord({ annotations: [{ key: 'kind', value: 'sequence' }], response: { statusCode: 1 } }));
    const s = await scrape(m);
    expect(sampleValue(s, 'whirl_activations_total', { kind: 'nodejs:20', status: 'success' })).toBe(2);
    expect(sampleValue(s, 'whirl_activations_total', { kind: 'nodejs:20', status: 'developer_error' })).toBe(1);
    expect(sampleValue(s, 'whirl_activations_total', { kind: 'sequence', status: 'application_error' })).toBe(1);
    expect(sampleValue(s, 'whirl_activation_starts_total', { kind: 'nodejs:20', start: 'cold' })).toBe(1);
    expect(sampleValue(s, 'whirl_activation_starts_total', { kind: 'nodejs:20', start: 'warm' })).toBe(2);
    // The sequence record has no waitTime: it never ran in a container itself.
    expect(sampleValue(s, 'whirl_activation_starts_total', { kind: 'sequence', start: 'warm' })).toBeUndefined();
    expect(sampleValue(s, 'whirl_activation_duration_seconds_count', { kind: 'nodejs:20' })).toBe(3);
    expect(sampleValue(s, 'whirl_activation_duration_seconds_bucket', { kind: 'nodejs:20', le: '0.05' })).toBe(3);
    expect(sampleValue(s, 'whirl_activation_duration_seconds_bucket', { kind: 'nodejs:20', le: '0.025' })).toBe(0);
    expect(sampleValue(s, 'whirl_activation_init_seconds_sum', { kind: 'nodejs:20' })).toBeCloseTo(0.12);
    expect(sampleValue(s, 'whirl_activation_wait_seconds_count', { kind: 'nodejs:20' })).toBe(3);
  });

  it('tracks composition executions by current state', async () => {
    const m = new PrometheusMetrics({ defaultMetrics: false });
    m.executionStateChanged({ to: 'running' });
    m.executionStateChanged({ to: 'running' });
    m.executionStateChanged({ from: 'running', to: 'succeeded' });
    m.executionStateChanged({ from: 'running', to: 'running' });
    const s = await scrape(m);
    expect(sampleValue(s, 'whirl_composition_executions', { state: 'running' })).toBe(1);
    expect(sampleValue(s, 'whirl_composition_executions', { state: 'succeeded' })).toBe(1);
    expect(sampleValue(s, 'whirl_composition_transitions_total', { to: 'running' })).toBe(3);
  });

  it('shows no sampled series for sources this process does not have', async () => {
    const s = await scrape(new PrometheusMetrics({ defaultMetrics: false }));
    expect(s.filter((x) => /^whirl_(queue_depth|containers|container_pool)/.test(x.name))).toEqual([]);
  });

  it('samples queue depth and the pool at scrape time, reading unknown pool shapes defensively', async () => {
    const m = new PrometheusMetrics({ defaultMetrics: false });
    let depth = 3;
    m.addSource('queueDepth', async () => depth);
    m.addSource('containerPool', () => ({ containers: 5, busy: 2, paused: 1, memoryMB: 1280, waiting: 4, future: 'x' }));
    let s = await scrape(m);
    expect(sampleValue(s, 'whirl_queue_depth')).toBe(3);
    expect(sampleValue(s, 'whirl_containers', { state: 'busy' })).toBe(2);
    expect(sampleValue(s, 'whirl_containers', { state: 'paused' })).toBe(1);
    expect(sampleValue(s, 'whirl_containers', { state: 'prewarmed' })).toBe(0);
    expect(sampleValue(s, 'whirl_containers', { state: 'warm' })).toBe(2);
    expect(sampleValue(s, 'whirl_container_pool_memory_mb')).toBe(1280);
    expect(sampleValue(s, 'whirl_container_pool_waiting')).toBe(4);
    depth = 0;
    m.addSource('containerPool', () => ({ warm: 7, prewarmed: 2, busy: 'many' }));
    s = await scrape(m);
    expect(sampleValue(s, 'whirl_queue_depth')).toBe(0);
    expect(sampleValue(s, 'whirl_containers', { state: 'warm' })).toBe(7);
    expect(sampleValue(s, 'whirl_containers', { state: 'prewarmed' })).toBe(2);
    expect(sampleValue(s, 'whirl_containers', { state: 'busy' })).toBe(0);
    expect(sampleValue(s, 'whirl_metrics_source_up', { source: 'queueDepth' })).toBe(1);
    // A failing source is reported down; labelled series are dropped rather than served stale.
    m.addSource('queueDepth', () => Promise.reject(new Error('down')));
    m.addSource('containerPool', () => undefined as unknown as object);
    s = await scrape(m);
    expect(sampleValue(s, 'whirl_metrics_source_up', { source: 'queueDepth' })).toBe(0);
    expect(sampleValue(s, 'whirl_metrics_source_up', { source: 'containerPool' })).toBe(0);
    expect(sampleValue(s, 'whirl_containers', { state: 'warm' })).toBeUndefined();
  });

  it('counts HTTP requests by route pattern and includes default process metrics when asked', async () => {
    const m = new PrometheusMetrics();
    m.httpRequest({ method: 'POST', route: '/api/v1/namespaces/:ns/actions/:name', status: 202, durationMs: 3 });
    const s = await scrape(m);
    expect(sampleValue(s, 'whirl_http_requests_total', { method: 'POST', status: '202' })).toBe(1);
    expect(sampleValue(s, 'whirl_http_request_duration_seconds_count', { route: '/api/v1/namespaces/:ns/actions/:name' })).toBe(1);
    expect(s.some((x) => x.name === 'whirl_process_cpu_user_seconds_total')).toBe(true);
  });
});
