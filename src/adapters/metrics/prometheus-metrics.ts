import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ActivationRecord } from '../../domain/activation.js';
import type { ExecutionStateChange, HttpRequestSample, Metrics, MetricsSourceName } from '../../ports/metrics.js';
import { recordSample } from './record-sample.js';
import { SampledGauges } from './sampled-gauges.js';

/** Seconds; activations range from a few ms (warm, trivial) to the 5-minute timeout limit. */
const ACTIVATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds; API answers are mostly fast, blocking invokes wait up to 60 s. */
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60];

type Source = () => Promise<number | object> | number | object;

/**
 * Metrics in prom-client, on a registry of this instance's own (never the global one: several Whirls may share a
 * process in tests). Includes Node's default process metrics under `whirl_`. Names and labels: docs/metrics.md.
 */
export class PrometheusMetrics implements Metrics {
  private readonly registry = new Registry();
  private readonly sampled: SampledGauges;
  private readonly activations: Counter<'kind' | 'status'>;
  private readonly starts: Counter<'kind' | 'start'>;
  private readonly duration: Histogram<'kind'>;
  private readonly wait: Histogram<'kind'>;
  private readonly init: Histogram<'kind'>;
  private readonly executions: Gauge<'state'>;
  private readonly transitions: Counter<'to'>;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly requestDuration: Histogram<'method' | 'route'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'whirl_' });
    this.activations = new Counter({
      name: 'whirl_activations_total',
      help: 'Finished activations (records stored) by action kind and status.',
      labelNames: ['kind', 'status'],
      registers,
    });
    this.starts = new Counter({
      name: 'whirl_activation_starts_total',
      help: 'Activations that ran in a container, by kind and start (cold: the container was created and initialised).',
      labelNames: ['kind', 'start'],
      registers,
    });
    const histogram = (name: string, help: string) =>
      new Histogram({ name, help, labelNames: ['kind'], buckets: ACTIVATION_BUCKETS, registers });
    this.duration = histogram('whirl_activation_duration_seconds', 'Activation duration (record `duration`).');
    this.wait = histogram('whirl_activation_wait_seconds', 'Time from acceptance to a ready container (`waitTime`).');
    this.init = histogram('whirl_activation_init_seconds', 'Container /init time of cold starts (`initTime`).');
    this.executions = new Gauge({
      name: 'whirl_composition_executions',
      help: 'Composition executions by current state, as seen by this process since it started.',
      labelNames: ['state'],
      registers,
    });
    this.transitions = new Counter({
      name: 'whirl_composition_transitions_total',
      help: 'Composition execution state changes, by the state entered.',
      labelNames: ['to'],
      registers,
    });
    this.requests = new Counter({
      name: 'whirl_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'whirl_http_request_duration_seconds',
      help: 'HTTP request latency, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.sampled = new SampledGauges(this.registry);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  activationFinished(record: ActivationRecord): void {
    const s = recordSample(record);
    this.activations.inc({ kind: s.kind, status: s.status });
    if (s.durationMs !== undefined) this.duration.observe({ kind: s.kind }, s.durationMs / 1000);
    if (s.waitMs !== undefined) this.wait.observe({ kind: s.kind }, s.waitMs / 1000);
    if (s.initMs !== undefined) this.init.observe({ kind: s.kind }, s.initMs / 1000);
    if (s.start) this.starts.inc({ kind: s.kind, start: s.start });
  }

  executionStateChanged(change: ExecutionStateChange): void {
    if (change.from !== undefined && change.from !== change.to) this.executions.dec({ state: String(change.from) });
    if (change.from !== change.to) this.executions.inc({ state: String(change.to) });
    this.transitions.inc({ to: String(change.to) });
  }

  httpRequest(r: HttpRequestSample): void {
    const duration = Number.isFinite(r.durationMs) && r.durationMs >= 0 ? r.durationMs / 1000 : 0;
    this.requests.inc({ method: r.method, route: r.route, status: String(r.status) });
    this.requestDuration.observe({ method: r.method, route: r.route }, duration);
  }

  addSource(name: MetricsSourceName, read: Source): void {
    this.sampled.add(name, read);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
