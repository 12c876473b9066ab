import type { ActivationRecord } from '../domain/activation.js';

/**
 * Operational metrics: the recording side (called where work happens) and the exposition side (served at
 * `/metrics`). Every process keeps its own numbers; Prometheus sums across processes.
 *
 * Contract (test/contract/metrics.contract.ts, run against every adapter):
 * - Recording never throws and never blocks, whatever it is given (records with missing annotations, unknown
 *   kinds, odd durations, state names never seen before): metrics must not break the work they measure.
 * - `render` resolves with text in the Prometheus exposition format (`contentType`), sampling every registered
 *   source at that moment; a source that throws, hangs or returns nonsense does not fail the scrape (the adapter
 *   reports it as down).
 * - Recording after `render` is reflected by the next `render`.
 */
export interface Metrics {
  /** One finished activation (its record as stored): counts by status and kind, latency histograms. */
  activationFinished(record: ActivationRecord): void;
  /**
   * A composition execution moved between states (`from` absent when it was just created). The composition
   * engine calls this on every transition it persists; state names are the engine's own (`running`,
   * `succeeded`, `failed`, `cancelled`, …).
   */
  executionStateChanged(change: ExecutionStateChange): void;
  /** One HTTP request answered by the API. `route` is the route pattern (not the raw URL: bounded cardinality). */
  httpRequest(request: HttpRequestSample): void;
  /** Registers a gauge source read at every `render` (queue depth, container pool). Replaces one of the same name. */
  addSource(name: MetricsSourceName, read: () => Promise<number | object> | number | object): void;
  readonly contentType: string;
  render(): Promise<string>;
}

export interface ExecutionStateChange {
  from?: string;
  to: string;
}

export interface HttpRequestSample {
  method: string;
  route: string;
  status: number;
  durationMs: number;
}

/**
 * `queueDepth`: a number (messages published and not finished).
 * `containerPool`: the invoker pool's `stats()` object, read defensively (fields may be added or absent):
 * `busy`, `paused`, `prewarmed`, `warm` (else `containers - busy - paused - prewarmed`), `memoryMB`, `waiting`.
 */
export type MetricsSourceName = 'queueDepth' | 'containerPool';

/** Metrics turned off: records nothing, renders an empty exposition. */
export const noMetrics: Metrics = {
  activationFinished() {},
  executionStateChanged() {},
  httpRequest() {},
  addSource() {},
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  render: async () => '',
};
