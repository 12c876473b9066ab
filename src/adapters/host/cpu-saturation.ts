import { cpus } from 'node:os';

/**
 * Whether the host's CPUs are saturated, from the kernel's per-CPU time counters (`os.cpus()`), sampled every
 * `everyMs`: busy when less than `idleBelow` of all CPU time was idle in an interval, and for `holdMs` after the
 * last such interval. Short intervals see a burst's saturation within ~0.1 s (the pool's growth decisions come in
 * the first few hundred ms of a burst); the hold keeps a saturated host that idles for one interval now and then
 * (88–99 % busy in the throughput benchmark) from reading as free. Timer-driven, so the invoker's hot path only
 * reads a boolean.
 */
export class CpuSaturation {
  private busy = false;
  private lastBusyAt = Number.NEGATIVE_INFINITY;
  private last = totals();
  private readonly timer: NodeJS.Timeout;

  constructor(
    everyMs = 100,
    private readonly idleBelow = 0.25,
    private readonly holdMs = 1000,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  readonly isBusy = (): boolean => this.busy;

  close(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = totals();
    const verdict = afterSample(
      this.lastBusyAt,
      { all: now.all - this.last.all, idle: now.idle - this.last.idle, at: performance.now() },
      { idleBelow: this.idleBelow, holdMs: this.holdMs },
    );
    this.last = now;
    if (!verdict) return;
    this.busy = verdict.busy;
    this.lastBusyAt = verdict.lastBusyAt;
  }
}

/**
 * The verdict after one interval's CPU times (pure): busy when under `idleBelow` of them were idle, or when the last
 * busy interval ended less than `holdMs` ago. Undefined for an empty interval (nothing to judge).
 */
export function afterSample(
  lastBusyAt: number,
  interval: { all: number; idle: number; at: number },
  rule: { idleBelow: number; holdMs: number },
): { busy: boolean; lastBusyAt: number } | undefined {
  if (interval.all <= 0) return undefined;
  const busyAt = interval.idle / interval.all < rule.idleBelow ? interval.at : lastBusyAt;
  return { busy: interval.at - busyAt < rule.holdMs, lastBusyAt: busyAt };
}

function totals(): { all: number; idle: number } {
  let all = 0;
  let idle = 0;
  for (const c of cpus()) {
    const t = c.times;
    all += t.user + t.nice + t.sys + t.idle + t.irq;
    idle += t.idle;
  }
  return { all, idle };
}
