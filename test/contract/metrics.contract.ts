import { describe, expect, it } from 'vitest';
import type { ActivationRecord } from '../../src/domain/activation.js';
import type { Metrics } from '../../src/ports/metrics.js';
import { parseMetrics } from '../helpers/metrics-text.js';

/** A record as the invoker writes it; `over` replaces fields (also with nonsense, to test tolerance). */
export function metricsRecord(over: Partial<Record<keyof ActivationRecord, unknown>> = {}): ActivationRecord {
  return {
    namespace: 'guest',
    name: 'hello',
    version: '0.0.1',
    subject: 'guest',
    activationId: '0123456789abcdef0123456789abcdef',
    start: 1_000,
    end: 1_042,
    duration: 42,
    response: { statusCode: 0, result: {} },
    logs: [],
    annotations: [
      { key: 'kind', value: 'nodejs:20' },
      { key: 'waitTime', value: 7 },
    ],
    publish: false,
    ...over,
  } as ActivationRecord;
}

/** The Metrics port contract (src/ports/metrics.ts), for every adapter. */
export function metricsContract(name: string, open: () => Metrics): void {
  describe(`Metrics contract: ${name}`, () => {
    it('renders the Prometheus text format with its content type', async () => {
      const m = open();
      expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(() => parseMetrics('')).not.toThrow();
      parseMetrics(await m.render());
    });

    it('accepts any record, state change or request without throwing', async () => {
      const m = open();
      const odd: ActivationRecord[] = [
        metricsRecord(),
        metricsRecord({ annotations: [] }),
        metricsRecord({ annotations: undefined, duration: Number.NaN }),
        metricsRecord({ annotations: [{ key: 'kind', value: 42 }, null], response: { statusCode: 9 } }),
        metricsRecord({ response: undefined, duration: -5 }),
      ];
      for (const r of odd) expect(() => m.activationFinished(r)).not.toThrow();
      expect(() => m.executionStateChanged({ to: 'running' })).not.toThrow();
      expect(() => m.executionStateChanged({ from: 'never-seen', to: 'a "quoted"\nstate' })).not.toThrow();
      expect(() => m.httpRequest({ method: 'GET', route: '/x', status: 200, durationMs: Number.NaN })).not.toThrow();
      parseMetrics(await m.render());
    });

    it('renders even when a source throws, rejects or never answers', async () => {
      const m = open();
      m.addSource('queueDepth', () => {
        throw new Error('redis down');
      });
      m.addSource('containerPool', () => new Promise<object>(() => {}));
      const started = Date.now();
      parseMetrics(await m.render());
      expect(Date.now() - started).toBeLessThan(20_000);
      m.addSource('queueDepth', () => Promise.reject(new Error('still down')));
      m.addSource('containerPool', () => 'not stats' as unknown as object);
      parseMetrics(await m.render());
    });
  });
}
