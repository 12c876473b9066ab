import type { Clock } from '../ports/clock.js';
import type { Container } from '../ports/container-factory.js';
import type { Logger } from '../ports/logger.js';
import type { PoolEntry } from './pool-entry.js';

/**
 * Pausing idle containers and resuming them on reuse, for the pool. An idle container is paused `graceMs` after its
 * last release (never, without a grace); leasing it again cancels a pending pause or resumes it. Pause and resume
 * of one container are chained (the engine must not interleave them) and wait for its pending log collections, so
 * a container is never frozen while its output is still being read.
 */
export class PauseControl {
  constructor(
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      graceMs: number | undefined;
      /** Counts pauses and resumes (the pool's counters object). */
      counters: { paused: number; resumed: number };
    },
  ) {}

  /** The entry just became idle. Stem cells are never paused: they exist to shorten the path a resume would add to. */
  scheduleIdle(entry: PoolEntry): void {
    const grace = this.deps.graceMs;
    if (grace === undefined || entry.stem) return;
    this.cancel(entry);
    entry.pauseTimer = this.deps.clock.setTimeout(() => {
      entry.pauseTimer = undefined;
      this.serialize(entry, async (c) => {
        // Leased again (or removed) while waiting for its logs or an earlier operation: stay running.
        if (entry.inFlight > 0 || entry.removing || entry.paused) return;
        await c.pause();
        entry.paused = true;
        this.deps.counters.paused++;
      }).catch((err: unknown) => {
        // e.g. "unable to freeze" while a process is in uninterruptible sleep: still idle, try again later.
        this.deps.logger.warn({ container: entry.container?.name, err: String(err) }, 'pause failed');
        if (entry.inFlight === 0 && !entry.removing && !entry.paused) this.scheduleIdle(entry);
      });
    }, grace);
  }

  cancel(entry: PoolEntry): void {
    entry.pauseTimer?.cancel();
    entry.pauseTimer = undefined;
  }

  /** Resumes a paused container, waiting for a pause in progress first. Rejects if the engine cannot resume it. */
  async ensureRunning(entry: PoolEntry): Promise<void> {
    if (!entry.paused && !entry.op) return;
    await this.serialize(entry, async (c) => {
      if (!entry.paused) return;
      await c.resume();
      entry.paused = false;
      this.deps.counters.resumed++;
    });
  }

  /** Runs `fn` after the container's earlier pause/resume and its pending log collections. */
  private serialize(entry: PoolEntry, fn: (c: Container) => Promise<void>): Promise<void> {
    const run = Promise.all([entry.op, entry.logChain]).then(() => (entry.container ? fn(entry.container) : undefined));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    entry.op = settled;
    void settled.then(() => {
      if (entry.op === settled) entry.op = undefined;
    });
    return run;
  }
}
