import type { Clock } from '../ports/clock.js';
import type { Container, ContainerFactory, ContainerSpec } from '../ports/container-factory.js';
import type { Logger } from '../ports/logger.js';
import { decide } from './pool-decision.js';
import type { PoolEntry } from './pool-entry.js';

export interface Lease {
  entry: PoolEntry;
  container: Container;
  /** The container was just created: the caller must `/init` it and then call `markInitialized`. */
  cold: boolean;
  acquiredAt: number;
}

/** Resolves with a lease handed over directly, or undefined to decide again. */
type Waiter = (lease: Lease | undefined) => void;

/** Weight of the newest sample in the moving averages. */
const EWMA = 0.2;
const INITIAL_COLD_START_MS = 300;

/**
 * The invoker's containers: warm reuse per key, queueing behind busy containers when that beats a cold start
 * (pool-decision.ts), a memory budget with LRU eviction of idle containers, and removal of containers idle for
 * longer than `idleMs`. A released container is handed straight to the next activation waiting for its key.
 */
export class ContainerPool {
  private readonly entries: PoolEntry[] = [];
  private readonly byKey = new Map<string, Waiter[]>();
  private memoryWaiters: Waiter[] = [];
  private readonly holdMs = new Map<string, number>();
  private coldStartMs = INITIAL_COLD_START_MS;
  private seq = 0;
  private sweeper: { cancel(): void } | undefined;
  private closed = false;

  constructor(
    private readonly deps: {
      factory: ContainerFactory;
      clock: Clock;
      logger: Logger;
      budgetMB: number;
      idleMs: number;
      /** Names of this invoker's containers start with it (leftovers are cleaned up at start). */
      namePrefix: string;
    },
  ) {
    this.scheduleSweep();
  }

  async acquire(key: string, spec: Omit<ContainerSpec, 'name'>): Promise<Lease> {
    for (;;) {
      if (this.closed) throw new Error('container pool is shut down');
      const queue = this.byKey.get(key);
      const d = decide(this.entries, key, spec.memoryMB, this.deps.budgetMB, {
        waiting: queue?.length ?? 0,
        avgHoldMs: this.holdMs.get(key),
        coldStartMs: this.coldStartMs,
      });
      switch (d.kind) {
        case 'warm':
          return this.lease(d.entry, false);
        case 'create':
          for (const e of d.evict) this.remove(e, 'evicted');
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
    if (entry.inFlight === 0) this.wakeMemory();
  }

  stats(): { containers: number; busy: number; memoryMB: number; waiting: number } {
    let waiting = this.memoryWaiters.length;
    for (const q of this.byKey.values()) waiting += q.length;
    return {
      containers: this.entries.length,
      busy: this.entries.filter((e) => e.inFlight > 0).length,
      memoryMB: this.entries.reduce((s, e) => s + e.memoryMB, 0),
      waiting,
    };
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.sweeper?.cancel();
    for (const q of this.byKey.values()) for (const w of q.splice(0)) w(undefined);
    this.byKey.clear();
    this.wakeMemory();
    await Promise.allSettled(this.entries.splice(0).map((e) => e.container?.destroy()));
  }

  private lease(entry: PoolEntry, cold: boolean): Lease {
    entry.inFlight++;
    const now = this.deps.clock.now();
    entry.lastUsed = now;
    return { entry, container: entry.container!, cold, acquiredAt: now };
  }

  private enqueue(key: string, waiter: Waiter): void {
    const q = this.byKey.get(key);
    if (q) q.push(waiter);
    else this.byKey.set(key, [waiter]);
  }

  private async createEntry(key: string, spec: Omit<ContainerSpec, 'name'>): Promise<Lease> {
    const seq = ++this.seq;
    const entry: PoolEntry = {
      seq,
      key,
      memoryMB: spec.memoryMB,
      maxConcurrency: Math.max(1, spec.concurrency),
      container: undefined,
      initialized: false,
      inFlight: 1,
      lastUsed: this.deps.clock.now(),
      logChain: Promise.resolve(),
      removing: false,
    };
    this.entries.push(entry);
    const startedAt = this.deps.clock.now();
    try {
      entry.container = await this.deps.factory.create({ ...spec, name: `${this.deps.namePrefix}${seq}` });
    } catch (err) {
      this.drop(entry);
      this.wakeKey(key);
      this.wakeMemory();
      throw err;
    }
    return { entry, container: entry.container, cold: true, acquiredAt: startedAt };
  }

  private remove(entry: PoolEntry, why: string): void {
    if (entry.removing) return;
    entry.removing = true;
    this.drop(entry);
    // Activations queued for this key must decide again: this container will not serve them.
    this.wakeKey(entry.key);
    this.wakeMemory();
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
        if (e.inFlight === 0 && e.initialized && now - e.lastUsed >= this.deps.idleMs) this.remove(e, 'idle');
      }
      if (!this.closed) this.scheduleSweep();
    }, every);
  }
}
