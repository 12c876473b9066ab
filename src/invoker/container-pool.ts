import type { Clock } from '../ports/clock.js';
import type { Container, ContainerFactory, ContainerSpec } from '../ports/container-factory.js';
import type { Logger } from '../ports/logger.js';
import { pickEvictions, pickWarm, type PoolEntry } from './pool-entry.js';

export interface Lease {
  entry: PoolEntry;
  container: Container;
  /** The container was just created: the caller must `/init` it and then call `markInitialized`. */
  cold: boolean;
}

/**
 * The invoker's containers: warm reuse per key, a memory budget with LRU eviction of idle containers, FIFO waiting
 * when the budget is full of busy containers, and removal of containers idle for longer than `idleMs`.
 * Decisions are the pure functions of pool-entry.ts; this class applies them.
 */
export class ContainerPool {
  private readonly entries: PoolEntry[] = [];
  private readonly waiting: Array<() => void> = [];
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
      const warm = pickWarm(this.entries, key);
      if (warm?.container) {
        warm.inFlight++;
        warm.lastUsed = this.deps.clock.now();
        return { entry: warm, container: warm.container, cold: false };
      }
      const evictions = pickEvictions(this.entries, spec.memoryMB, this.deps.budgetMB);
      if (evictions) {
        for (const e of evictions) this.remove(e, 'evicted');
        return this.createEntry(key, spec);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  markInitialized(entry: PoolEntry): void {
    entry.initialized = true;
  }

  /** Returns a lease. `destroy` removes the container (after developer errors, timeouts, crashes). */
  release(entry: PoolEntry, destroy: boolean): void {
    entry.inFlight--;
    entry.lastUsed = this.deps.clock.now();
    if (destroy || !entry.initialized) this.remove(entry, 'unhealthy');
    this.wake();
  }

  stats(): { containers: number; busy: number; memoryMB: number } {
    return {
      containers: this.entries.length,
      busy: this.entries.filter((e) => e.inFlight > 0).length,
      memoryMB: this.entries.reduce((s, e) => s + e.memoryMB, 0),
    };
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.sweeper?.cancel();
    this.wake();
    await Promise.allSettled(this.entries.splice(0).map((e) => e.container?.destroy()));
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
      removing: false,
    };
    this.entries.push(entry);
    try {
      entry.container = await this.deps.factory.create({ ...spec, name: `${this.deps.namePrefix}${seq}` });
    } catch (err) {
      this.drop(entry);
      this.wake();
      throw err;
    }
    return { entry, container: entry.container, cold: true };
  }

  private remove(entry: PoolEntry, why: string): void {
    if (entry.removing) return;
    entry.removing = true;
    this.drop(entry);
    const c = entry.container;
    if (!c) return;
    this.deps.logger.debug({ container: c.name, why }, 'removing container');
    c.destroy().catch((err: unknown) => this.deps.logger.warn({ container: c.name, err: String(err) }, 'destroy failed'));
  }

  private drop(entry: PoolEntry): void {
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
  }

  private wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }

  private scheduleSweep(): void {
    const every = Math.max(50, Math.min(10_000, Math.floor(this.deps.idleMs / 4)));
    this.sweeper = this.deps.clock.setTimeout(() => {
      const now = this.deps.clock.now();
      for (const e of [...this.entries]) {
        if (e.inFlight === 0 && e.initialized && now - e.lastUsed >= this.deps.idleMs) this.remove(e, 'idle');
      }
      this.wake();
      if (!this.closed) this.scheduleSweep();
    }, every);
  }
}
