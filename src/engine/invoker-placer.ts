import type { Clock } from '../ports/clock.js';
import type { InvokerRegistry, InvokerStatus } from '../ports/invoker-registry.js';
import type { Logger } from '../ports/logger.js';
import { homeHash, place } from './placement.js';

interface Pending {
  invokerId: string;
  memoryMB: number;
  at: number;
}

/**
 * The API process's view of the invokers: the registry, re-read every `refreshMs` (so an invoker added later gets
 * work without restarting the API, and a dead one stops getting it within deadMs + refreshMs).
 *
 * An invoker's free memory is what its last heartbeat reported minus the activations this API placed on it after
 * that heartbeat and has not yet seen complete (`completed`, fed by the completions the Activator receives). So a
 * burst spreads over the ring instead of piling onto stale numbers, while a stream of short activations that
 * complete keeps going to its home (warm) invoker. A placement older than the invoker's last heartbeat is dropped:
 * the heartbeat's report already counts it if it is still running.
 */
export class InvokerPlacer {
  private invokers: InvokerStatus[] = [];
  /** When each invoker's last heartbeat was sent, on this process's clock (now − ageMs at the read). */
  private heartbeatAt = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();
  /** Memory of `pending`, summed per invoker (kept in step with it: `choose` runs on every invoke). */
  private readonly pendingMB = new Map<string, number>();
  /** homeHash per action, so the hot path hashes each action once. */
  private readonly homes = new Map<string, number>();
  private timer: { cancel(): void } | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      registry: InvokerRegistry;
      clock: Clock;
      logger: Logger;
      refreshMs: number;
      deadMs: number;
    },
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /**
   * The invoker for activation `activationId` of `action` (`ns/pkg/name`) needing `memoryMB`; undefined means the
   * shared queue (no live invoker known).
   */
  choose(namespace: string, action: string, memoryMB: number, activationId?: string): string | undefined {
    const view = this.invokers.map((i) => ({ ...i, freeMB: i.freeMB - (this.pendingMB.get(i.id) ?? 0) }));
    const id = place(view, this.home(namespace, action), memoryMB, this.deps.deadMs);
    if (id !== undefined) {
      const key = activationId ?? `anonymous-${this.deps.clock.now()}-${Math.random()}`;
      this.forget(key);
      this.pending.set(key, { invokerId: id, memoryMB, at: this.deps.clock.now() });
      this.pendingMB.set(id, (this.pendingMB.get(id) ?? 0) + memoryMB);
    }
    return id;
  }

  /** The activation's completion reached this API process: its memory is free again. */
  completed(activationId: string): void {
    this.forget(activationId);
  }

  /** The last registry read (for tests and metrics). */
  known(): readonly InvokerStatus[] {
    return this.invokers;
  }

  async refresh(): Promise<void> {
    let invokers: InvokerStatus[];
    try {
      invokers = await this.deps.registry.list();
    } catch (err) {
      // Keep placing on the last view; invokers that stay silent age out of it as reads resume.
      this.deps.logger.warn({ err: String(err) }, 'invoker registry unreadable');
      return;
    }
    const now = this.deps.clock.now();
    this.invokers = invokers;
    this.heartbeatAt = new Map(invokers.map((i) => [i.id, now - i.ageMs]));
    for (const [id, p] of this.pending) {
      const beat = this.heartbeatAt.get(p.invokerId);
      if (beat === undefined || p.at <= beat) this.forget(id);
    }
  }

  private forget(activationId: string): void {
    const p = this.pending.get(activationId);
    if (!p) return;
    this.pending.delete(activationId);
    const left = (this.pendingMB.get(p.invokerId) ?? 0) - p.memoryMB;
    if (left > 0) this.pendingMB.set(p.invokerId, left);
    else this.pendingMB.delete(p.invokerId);
  }

  private home(namespace: string, action: string): number {
    const key = `${namespace}/${action}`;
    let h = this.homes.get(key);
    if (h === undefined) {
      if (this.homes.size >= 10_000) this.homes.clear();
      this.homes.set(key, (h = homeHash(namespace, action)));
    }
    return h;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.deps.refreshMs);
  }
}
