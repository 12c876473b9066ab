import type { Clock } from '../ports/clock.js';
import type { Container, ContainerFactory, ContainerSpec } from '../ports/container-factory.js';
import type { Logger } from '../ports/logger.js';
import { PauseControl } from './pause-control.js';
import { decide } from './pool-decision.js';
import { pickWarm, stemKey, type PoolEntry } from './pool-entry.js';
import { stemCellsToStart, type PrewarmConfig } from './prewarm.js';

export interface Lease {
  entry: PoolEntry;
  container: Container;
  /** The container is not initialized (new, or a stem cell): the caller must `/init` it, then `markInitialized`. */
  cold: boolean;
  acquiredAt: number;
}

/** Resolves with a lease handed over directly, or undefined to decide again. */
type Waiter = (lease: Lease | undefined) => void;

/** What the pool did, since it started (for tests, benchmarks and metrics). */
export interface PoolCounters {
  warm: number;
  prewarmed: number;
  created: number;
  evicted: number;
  paused: number;
  resumed: number;
}

/** Weight of the newest sample in the moving averages. */
const EWMA = 0.2;
const INITIAL_COLD_START_MS = 300;
/** How long a new stem cell's runtime may take to answer before the stem cell is given up. */
const STEM_WARMUP_MS = 30_000;

/**
 * The invoker's containers. Decisions are pure (pool-decision.ts, prewarm.ts); this class applies them: warm reuse
 * per key, queueing behind busy containers when that beats a cold start, prewarmed stem cells per image and memory
 * (replenished after use), a memory budget with LRU eviction of idle containers, pausing containers idle past
 * `pauseGraceMs` (resumed on reuse), and removal of containers idle for longer than `idleMs`. A released
 * container is handed straight to the next activation waiting for its key.
 */
export class ContainerPool {
  private readonly entries: PoolEntry[] = [];
  private readonly byKey = new Map<string, Waiter[]>();
  private memoryWaiters: Waiter[] = [];
  private readonly holdMs = new Map<string, number>();
  private readonly counters: PoolCounters = { warm: 0, prewarmed: 0, created: 0, evicted: 0, paused: 0, resumed: 0 };
  private coldStartMs = INITIAL_COLD_START_MS;
  private seq = 0;
  private sweeper: { cancel(): void } | undefined;
  private replenishScheduled = false;
  /** Stem cells being started (created and warmed up). */
  private readonly starting = new Set<Promise<void>>();
  private started = false;
  private closed = false;
  private readonly pausing: PauseControl;

  constructor(
    private readonly deps: {
      factory: ContainerFactory;
      clock: Clock;
      logger: Logger;
      budgetMB: number;
      idleMs: number;
      /** Names of this invoker's containers start with it (leftovers are cleaned up at start). */
      namePrefix: string;
      /** Stem cells to keep ready (none by default). */
      prewarm?: readonly PrewarmConfig[];
      /** Environment of stem cells (what every container gets, e.g. `__OW_API_HOST`). */
      stemEnv?: Record<string, string>;
      /** Idle containers are paused after this long (ms); undefined: never. */
      pauseGraceMs?: number;
      /** Whether the host's CPUs are saturated now (pool-decision.ts); absent: never. */
      hostBusy?: () => boolean;
    },
  ) {
    this.pausing = new PauseControl({
      clock: deps.clock,
      logger: deps.logger,
      graceMs: deps.pauseGraceMs,
      counters: this.counters,
    });
    this.scheduleSweep();
  }

  /** Starts the stem cells (after the invoker removed its predecessor's leftovers). */
  start(): void {
    this.started = true;
    this.scheduleReplenish();
  }

  /**
   * A warm idle container of `key` that is running (not paused, no pause or resume in progress), leased at once; or
   * undefined, and the caller goes through `acquire`. The invoke path stays synchronous up to the `/run` write.
   */
  tryWarm(key: string): Lease | undefined {
    if (this.closed) return undefined;
    const warm = pickWarm(this.entries, key);
    if (!warm || warm.paused || warm.op) return undefined;
    this.counters.warm++;
    return this.lease(warm, false);
  }

  async acquire(key: string, spec: Omit<ContainerSpec, 'name'>): Promise<Lease> {
    for (;;) {
      if (this.closed) throw new Error('container pool is shut down');
      const queue = this.byKey.get(key);
      const d = decide(this.entries, key, spec.memoryMB, this.deps.budgetMB, {
        waiting: queue?.length ?? 0,
        avgHoldMs: this.holdMs.get(key),
        coldStartMs: this.coldStartMs,
        ...(this.deps.prewarm?.length ? { stemKey: stemKey(spec) } : {}),
        ...(this.deps.hostBusy ? { hostBusy: this.deps.hostBusy() } : {}),
      });
      switch (d.kind) {
        case 'warm': {
          this.counters.warm++;
          const lease = this.lease(d.entry, false);
          try {
            await this.pausing.ensureRunning(d.entry);
          } catch (err) {
            this.deps.logger.warn({ container: d.entry.container?.name, err: String(err) }, 'resume failed');
            d.entry.inFlight--;
            this.remove(d.entry, 'resume failed');
            break;
          }
          return lease;
        }
        case 'stem':
          return this.takeStem(d.entry, key);
        case 'create':
          for (const e of d.evict) this.remove(e, 'evicted');
          this.counters.evicted += d.evict.length;
          this.counters.created++;
          return this.createEntry(key, spec);
        case 'queue': {
          const handed = await new Promise<Lease | undefined>((resolve) => this.enqueue(key, resolve));
          if (handed) return handed;
          break;
        }
        case 'wait-memory':
          await new Promise<Lease | undefined>((resolve) => this.memoryWaiters.push(resolve));
          break;
      }
    }
  }

  markInitialized(entry: PoolEntry): void {
    entry.initialized = true;
  }

  /** Returns a lease. `destroy` removes the container (after developer errors, timeouts, crashes). */
  release(lease: Lease, destroy: boolean): void {
    const { entry } = lease;
    const now = this.deps.clock.now();
    const held = now - lease.acquiredAt;
    if (lease.cold) this.coldStartMs = this.coldStartMs * (1 - EWMA) + held * EWMA;
    else this.holdMs.set(entry.key, (this.holdMs.get(entry.key) ?? held) * (1 - EWMA) + held * EWMA);
    entry.inFlight--;
    entry.lastUsed = now;
    if (destroy || !entry.initialized) {
      this.remove(entry, 'unhealthy');
      return;
    }
    const queue = this.byKey.get(entry.key);
    while (queue && queue.length > 0 && entry.inFlight < entry.maxConcurrency) {
      const next = queue.shift()!;
      next(this.lease(entry, false));
    }
    if (queue?.length === 0) this.byKey.delete(entry.key);
    if (entry.inFlight === 0) {
      this.pausing.scheduleIdle(entry);
      this.wakeMemory();
    }
  }

  /** Memory not held by busy containers (idle ones can be evicted): what the invoker reports in heartbeats. */
  freeMB(): number {
    return this.deps.budgetMB - this.entries.reduce((s, e) => s + (e.inFlight > 0 ? e.memoryMB : 0), 0);
  }

  stats(): {
    containers: number;
    busy: number;
    paused: number;
    prewarmed: number;
    /** Stem cells started and ready to be taken (`prewarmed` also counts those still starting). */
    prewarmedReady: number;
    warm: number;
    memoryMB: number;
    waiting: number;
    counters: PoolCounters;
  } {
    let waiting = this.memoryWaiters.length;
    for (const q of this.byKey.values()) waiting += q.length;
    const busy = this.entries.filter((e) => e.inFlight > 0 && !e.stem).length;
    const paused = this.entries.filter((e) => e.paused).length;
    const prewarmed = this.entries.filter((e) => e.stem).length;
    const prewarmedReady = this.entries.filter((e) => e.stem && e.initialized && e.inFlight === 0).length;
    return {
      containers: this.entries.length,
      busy,
      paused,
      prewarmed,
      prewarmedReady,
      warm: this.entries.length - busy - paused - prewarmed,
      memoryMB: this.entries.reduce((s, e) => s + e.memoryMB, 0),
      waiting,
      counters: { ...this.counters },
    };
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.sweeper?.cancel();
    for (const q of this.byKey.values()) for (const w of q.splice(0)) w(undefined);
    this.byKey.clear();
    this.wakeMemory();
    const all = this.entries.splice(0);
    for (const e of all) this.pausing.cancel(e);
    await Promise.allSettled(all.map((e) => e.container?.destroy()));
    await Promise.allSettled([...this.starting]);
  }

  private lease(entry: PoolEntry, cold: boolean): Lease {
    entry.inFlight++;
    this.pausing.cancel(entry);
    const now = this.deps.clock.now();
    entry.lastUsed = now;
    return { entry, container: entry.container!, cold, acquiredAt: now };
  }

  /** A stem cell becomes the key's container: it only needs `/init`. Another one is started in its place. */
  private takeStem(entry: PoolEntry, key: string): Lease {
    this.counters.prewarmed++;
    entry.stem = false;
    entry.key = key;
    entry.initialized = false;
    this.scheduleReplenish();
    return this.lease(entry, true);
  }

  private enqueue(key: string, waiter: Waiter): void {
    const q = this.byKey.get(key);
    if (q) q.push(waiter);
    else this.byKey.set(key, [waiter]);
  }

  private newEntry(key: string, memoryMB: number, concurrency: number, stem: boolean): PoolEntry {
    const entry: PoolEntry = {
      seq: ++this.seq,
      key,
      memoryMB,
      maxConcurrency: Math.max(1, concurrency),
      container: undefined,
      initialized: false,
      inFlight: 1,
      lastUsed: this.deps.clock.now(),
      logChain: Promise.resolve(),
      removing: false,
      ...(stem ? { stem: true } : {}),
    };
    this.entries.push(entry);
    return entry;
  }

  private async createEntry(key: string, spec: Omit<ContainerSpec, 'name'>): Promise<Lease> {
    const entry = this.newEntry(key, spec.memoryMB, spec.concurrency, false);
    const startedAt = this.deps.clock.now();
    try {
      entry.container = await this.deps.factory.create({ ...spec, name: `${this.deps.namePrefix}${entry.seq}` });
    } catch (err) {
      this.drop(entry);
      this.wakeKey(key);
      this.wakeMemory();
      throw err;
    }
    return { entry, container: entry.container, cold: true, acquiredAt: startedAt };
  }

  /** Starts the stem cells the prewarm configuration is missing, into free memory only. */
  private replenish(): void {
    if (this.closed || !this.started) return;
    for (const c of stemCellsToStart(this.entries, this.deps.prewarm ?? [], this.deps.budgetMB)) {
      const key = stemKey({ image: c.image, memoryMB: c.memoryMB, network: true, concurrency: 1 })!;
      const entry = this.newEntry(key, c.memoryMB, 1, true);
      const spec = { image: c.image, kind: c.kind, memoryMB: c.memoryMB, env: this.deps.stemEnv ?? {}, network: true, concurrency: 1 };
      const started = this.deps.factory.create({ ...spec, name: `${this.deps.namePrefix}${entry.seq}` }).then(async (c) => {
        entry.container = c;
        if ((await c.warmUp?.(STEM_WARMUP_MS)) === false) throw new Error('the runtime never answered');
        return c;
      });
      const settled = started.then(
        async (container) => {
          if (this.closed || entry.removing) {
            await container.destroy().catch(() => undefined);
            return;
          }
          entry.inFlight = 0;
          entry.initialized = true; // ready to be taken (it is re-marked uninitialized when an action takes it)
          this.wakeMemory();
        },
        async (err: unknown) => {
          // Retried on the next sweep, not at once: a broken image must not spin.
          this.deps.logger.warn({ kind: c.kind, err: String(err) }, 'starting a stem cell failed');
          this.drop(entry);
          await entry.container?.destroy().catch(() => undefined);
        },
      );
      // Shutdown waits for these, so a stem cell still starting when the invoker stops is removed, not leaked.
      this.starting.add(settled);
      void settled.finally(() => this.starting.delete(settled));
    }
  }

  /** Deferred so that a decision's own container is in the pool before stem cells claim the memory. */
  private scheduleReplenish(): void {
    if (this.replenishScheduled || !this.deps.prewarm?.length) return;
    this.replenishScheduled = true;
    queueMicrotask(() => {
      this.replenishScheduled = false;
      this.replenish();
    });
  }

  private remove(entry: PoolEntry, why: string): void {
    if (entry.removing) return;
    entry.removing = true;
    this.pausing.cancel(entry);
    this.drop(entry);
    // Activations queued for this key must decide again: this container will not serve them.
    this.wakeKey(entry.key);
    this.wakeMemory();
    this.scheduleReplenish();
    const c = entry.container;
    if (!c) return;
    this.deps.logger.debug({ container: c.name, why }, 'removing container');
    c.destroy().catch((err: unknown) => this.deps.logger.warn({ container: c.name, err: String(err) }, 'destroy failed'));
  }

  private drop(entry: PoolEntry): void {
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
  }

  private wakeKey(key: string): void {
    const q = this.byKey.get(key);
    if (!q) return;
    this.byKey.delete(key);
    for (const w of q) w(undefined);
  }

  private wakeMemory(): void {
    if (this.memoryWaiters.length === 0) return;
    const ws = this.memoryWaiters;
    this.memoryWaiters = [];
    for (const w of ws) w(undefined);
  }

  private scheduleSweep(): void {
    const every = Math.max(50, Math.min(10_000, Math.floor(this.deps.idleMs / 4)));
    this.sweeper = this.deps.clock.setTimeout(() => {
      const now = this.deps.clock.now();
      for (const e of [...this.entries]) {
        if (e.inFlight === 0 && e.initialized && !e.stem && now - e.lastUsed >= this.deps.idleMs) this.remove(e, 'idle');
      }
      this.replenish();
      if (!this.closed) this.scheduleSweep();
    }, every);
  }
}
