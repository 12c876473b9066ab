import type { SlotAnswer, ThrottleCounters } from '../../ports/throttle-counters.js';

/** Counters for a single process (the embedded default). Windows are pruned lazily when a key moves on. */
export class MemoryThrottleCounters implements ThrottleCounters {
  private readonly windows = new Map<string, { window: number; count: number }>();
  private readonly slots = new Map<string, Map<string, number>>();

  async hit(key: string, window: number): Promise<number> {
    const entry = this.windows.get(key);
    if (entry && entry.window === window) return ++entry.count;
    this.windows.set(key, { window, count: 1 });
    return 1;
  }

  async acquire(key: string, member: string, limit: number, leaseUntil: number, now: number): Promise<SlotAnswer> {
    const held = this.live(key, now);
    if (!held.has(member) && held.size >= limit) return { acquired: false, count: held.size };
    held.set(member, leaseUntil);
    return { acquired: true, count: held.size };
  }

  async release(key: string, member: string): Promise<void> {
    const held = this.slots.get(key);
    held?.delete(member);
    if (held?.size === 0) this.slots.delete(key);
  }

  async held(key: string, now: number): Promise<number> {
    return this.live(key, now).size;
  }

  async close(): Promise<void> {}

  private live(key: string, now: number): Map<string, number> {
    let held = this.slots.get(key);
    if (!held) {
      held = new Map();
      this.slots.set(key, held);
    }
    for (const [member, until] of held) if (until <= now) held.delete(member);
    return held;
  }
}
