import { Gauge, type Registry } from 'prom-client';
import type { MetricsSourceName } from '../../ports/metrics.js';
import { type PoolStates, poolStates } from './pool-states.js';

type Source = () => Promise<number | object> | number | object;

interface Snapshot {
  queueDepth?: number;
  pool?: PoolStates;
  /** Per source added: whether it was read. */
  up: Map<MetricsSourceName, boolean>;
}

/** A source that has not answered by then is left out of this scrape (a stuck Redis must not hang `/metrics`). */
const SOURCE_TIMEOUT_MS = 2_000;

/**
 * Gauges read from sources at scrape time (prom-client calls `collect` before rendering). A source's gauges are
 * registered only once the source is added, so a process without a pool (an API-only process) shows no pool
 * series rather than zeros. `whirl_metrics_source_up{source}` says whether the last read worked; a failed read
 * leaves unlabelled gauges at their last value (prom-client cannot omit them) and drops labelled series.
 */
export class SampledGauges {
  private readonly sources = new Map<MetricsSourceName, Source>();
  /** The scrape in progress: prom-client collects every metric at once, and they all share one read per source. */
  private inFlight: Promise<Snapshot> | undefined;

  constructor(private readonly registry: Registry) {
    const snapshot = () => this.snapshot();
    new Gauge({
      name: 'whirl_metrics_source_up',
      help: 'Whether this scrape read a sampled source (queueDepth, containerPool): 1 worked, 0 failed.',
      labelNames: ['source'],
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        for (const [name, ok] of s.up) this.set({ source: name }, ok ? 1 : 0);
      },
    });
  }

  add(name: MetricsSourceName, read: Source): void {
    const first = !this.sources.has(name);
    this.sources.set(name, read);
    if (!first) return;
    for (const gauge of name === 'queueDepth' ? this.queueGauges() : this.poolGauges()) this.registry.registerMetric(gauge);
  }

  private queueGauges(): Gauge[] {
    const read = async () => (await this.snapshot()).queueDepth;
    return [
      new Gauge({
        name: 'whirl_queue_depth',
        help: 'Activations published and not yet finished (the whole queue, as this process sees it).',
        registers: [],
        async collect() {
          const v = await read();
          if (v !== undefined) this.set(v);
        },
      }),
    ];
  }

  private poolGauges(): Gauge[] {
    const read = async () => (await this.snapshot()).pool;
    const single = (name: string, help: string, field: 'memoryMB' | 'waiting') =>
      new Gauge({
        name,
        help,
        registers: [],
        async collect() {
          const v = (await read())?.[field];
          if (v !== undefined) this.set(v);
        },
      });
    return [
      new Gauge({
        name: 'whirl_containers',
        help: "Containers in this invoker's pool by state (warm = idle and initialised).",
        labelNames: ['state'],
        registers: [],
        async collect() {
          const s = await read();
          this.reset();
          if (!s) return;
          for (const state of ['warm', 'paused', 'prewarmed', 'busy'] as const) this.set({ state }, s[state]);
        },
      }),
      single('whirl_container_pool_memory_mb', 'Memory (MB) given to containers in the pool.', 'memoryMB'),
      single('whirl_container_pool_waiting', 'Activations waiting for a container (behind a busy one, or for memory).', 'waiting'),
    ];
  }

  private snapshot(): Promise<Snapshot> {
    if (!this.inFlight) {
      this.inFlight = this.readAll().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async readAll(): Promise<Snapshot> {
    const out: Snapshot = { up: new Map() };
    const [depth, pool] = await Promise.all([this.read('queueDepth'), this.read('containerPool')]);
    if (this.sources.has('queueDepth')) {
      const ok = typeof depth === 'number' && Number.isFinite(depth);
      out.up.set('queueDepth', ok);
      if (ok) out.queueDepth = depth;
    }
    if (this.sources.has('containerPool')) {
      const stats = poolStates(pool);
      out.up.set('containerPool', stats !== undefined);
      if (stats) out.pool = stats;
    }
    return out;
  }

  /** A source's value, or undefined when it fails or takes longer than SOURCE_TIMEOUT_MS. */
  private async read(name: MetricsSourceName): Promise<number | object | undefined> {
    const source = this.sources.get(name);
    if (!source) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), SOURCE_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([Promise.resolve().then(source), timeout]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
