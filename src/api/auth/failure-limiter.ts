import type { Clock } from '../../ports/clock.js';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 100_000;

/**
 * Counts failed authentications per key (a client address, a subject uuid) in fixed one-minute windows, in this
 * process's memory. `over` answers whether a key has used up its allowance, so the caller can refuse before doing
 * any scrypt work. Bounded: past `MAX_TRACKED` keys, expired windows are dropped (then everything, if none expired).
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    readonly allowed: number,
  ) {}

  /** The failures counted for `key` in the current window when they exceed the allowance, else undefined. */
  over(key: string): number | undefined {
    const w = this.current(key);
    return w && w.count >= this.allowed ? w.count : undefined;
  }

  fail(key: string): void {
    const now = this.clock.now();
    const w = this.current(key);
    if (w) {
      w.count++;
      return;
    }
    if (this.windows.size >= MAX_TRACKED) this.prune(now);
    this.windows.set(key, { start: now, count: 1 });
  }

  /** Takes back one counted failure (the attempt it was counted for succeeded). */
  forgive(key: string): void {
    const w = this.current(key);
    if (w && w.count > 0) w.count--;
  }

  private current(key: string): { start: number; count: number } | undefined {
    const w = this.windows.get(key);
    if (w && this.clock.now() - w.start < WINDOW_MS) return w;
    if (w) this.windows.delete(key);
    return undefined;
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(k);
    if (this.windows.size >= MAX_TRACKED) this.windows.clear();
  }
}
