import { cpus } from 'node:os';

/**
 * Whether the host's CPUs are saturated, from the kernel's per-CPU time counters (`os.cpus()`), sampled every
 * `everyMs`: busy when less than `idleBelow` of all CPU time was idle in the last interval. Timer-driven, so the
 * invoker's hot path only reads a boolean.
 */
export class CpuSaturation {
  private busy = false;
  private last = totals();
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 500, private readonly idleBelow = 0.1) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  readonly isBusy = (): boolean => this.busy;

  close(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = totals();
    const all = now.all - this.last.all;
    const idle = now.idle - this.last.idle;
    this.last = now;
    if (all > 0) this.busy = idle / all < this.idleBelow;
  }
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
