import { isWhirlError } from '../../errors/whirl-error.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { Schedule, ScheduleStore } from '../../ports/schedule-store.js';
import { dueTicks } from './ticks.js';

export interface SchedulerOptions {
  /** How often every process looks for due ticks (ms). */
  pollMs: number;
  /** A tick found at most this late is on time; older ones are "missed" and follow the schedule's policy. */
  toleranceMs: number;
  /** `missed: 'all'` fires at most this many late ticks per schedule. */
  maxCatchUp: number;
}

/** Fires one tick: the trigger, as the schedule's owner, with the schedule's payload. */
export type FireTick = (schedule: Schedule, tick: number) => Promise<void>;

/**
 * Runs in every API process. Each poll lists the shared schedules, computes their due ticks (pure `dueTicks`),
 * and fires a tick only after winning its claim in the shared store — so a tick fires once however many
 * processes poll. A process that dies between claim and fire loses that tick (at most once, like activations).
 * A schedule whose trigger is gone (WHIRL_NOT_FOUND) or that has no tick left is removed.
 */
export class Scheduler {
  private timer: { cancel(): void } | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly deps: { store: ScheduleStore; fire: FireTick; clock: Clock; logger: Logger; options: SchedulerOptions },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  /** One pass over every schedule; resolves with the number of ticks this process fired. */
  async runOnce(): Promise<number> {
    const { store, clock, options } = this.deps;
    const now = clock.now();
    let fired = 0;
    for (const s of await store.list()) {
      if (s.paused) continue;
      const plan = dueTicks(s, await store.lastTick(s.id), now, options);
      if (plan.skipped > 0) this.deps.logger.info({ schedule: s.id, skipped: plan.skipped }, 'missed schedule ticks skipped');
      let gone = false;
      for (const tick of plan.fire) {
        if (!(await store.claimTick(s.id, tick))) continue;
        try {
          await this.deps.fire(s, tick);
          fired += 1;
        } catch (err) {
          if (isWhirlError(err, 'WHIRL_NOT_FOUND')) {
            gone = true;
            break;
          }
          this.deps.logger.warn({ schedule: s.id, tick, err: String(err) }, 'schedule tick failed to fire');
        }
      }
      if (gone || plan.finished) await store.delete(s.id);
    }
    return fired;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => this.deps.logger.warn({ err: String(err) }, 'scheduler pass failed'))
        .finally(() => this.schedule());
    }, this.deps.options.pollMs);
  }
}
