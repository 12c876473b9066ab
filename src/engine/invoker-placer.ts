import type { Clock } from '../ports/clock.js';
import type { InvokerRegistry, InvokerStatus } from '../ports/invoker-registry.js';
import type { Logger } from '../ports/logger.js';
import { homeHash, place } from './placement.js';

/**
 * The API process's view of the invokers: the registry, re-read every `refreshMs` (so an invoker added later gets
 * work without restarting the API, and a dead one stops getting it within deadMs + refreshMs). Between reads, the
 * memory of every activation placed here is taken off its invoker's free memory, so a burst spreads over the ring
 * instead of piling onto stale numbers.
 */
export class InvokerPlacer {
  private invokers: InvokerStatus[] = [];
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

  /** The invoker for an activation of `action` (`ns/pkg/name`) needing `memoryMB`; undefined: shared queue. */
  choose(namespace: string, action: string, memoryMB: number): string | undefined {
    const id = place(this.invokers, homeHash(namespace, action), memoryMB, this.deps.deadMs);
    const chosen = this.invokers.find((i) => i.id === id);
    if (chosen) chosen.freeMB -= memoryMB;
    return id;
  }

  /** The last registry read (for tests and metrics). */
  known(): readonly InvokerStatus[] {
    return this.invokers;
  }

  async refresh(): Promise<void> {
    try {
      this.invokers = await this.deps.registry.list();
    } catch (err) {
      // Keep placing on the last view; invokers that stay silent age out of it as reads resume.
      this.deps.logger.warn({ err: String(err) }, 'invoker registry unreadable');
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.deps.refreshMs);
  }
}
