/**
 * Shared counters behind the per-namespace throttles (issue 5): fixed one-window rate counts and leased
 * concurrency slots. In-memory for one process; Redis so that every API process sees the same counts.
 *
 * Contract (test/contract/throttle-counters.contract.ts, run against every adapter):
 * - `hit(key, window)` increments the count of `key` in the fixed window `window` (e.g. the current minute's number)
 *   and returns the new count. Different windows count separately; a window's count is forgotten after `ttlMs`.
 * - `acquire(key, member, limit, leaseUntil, now)` is atomic: slots whose lease ended (`leaseUntil <= now`) are
 *   dropped first; then, if fewer than `limit` slots are held, `member` takes one (re-acquiring a held member only
 *   renews its lease) and `{acquired: true, count}` returns the slots held including it; otherwise
 *   `{acquired: false, count}` with the slots held. Leases bound the damage of a release that never comes
 *   (a crashed process).
 * - `release(key, member)` frees the member's slot; releasing an unknown member is a no-op.
 * - `held(key, now)` counts live slots.
 * - Backend outages reject with WHIRL_UNAVAILABLE.
 */
export interface ThrottleCounters {
  hit(key: string, window: number, ttlMs: number): Promise<number>;
  acquire(key: string, member: string, limit: number, leaseUntil: number, now: number): Promise<SlotAnswer>;
  release(key: string, member: string): Promise<void>;
  held(key: string, now: number): Promise<number>;
  close(): Promise<void>;
}

export interface SlotAnswer {
  acquired: boolean;
  count: number;
}
