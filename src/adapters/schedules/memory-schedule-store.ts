import type { Schedule, ScheduleStore } from '../../ports/schedule-store.js';

/**
 * Schedules in this process's memory. Several schedulers in one process (tests, the embedded default) share one
 * instance; nothing survives a restart, so the embedded default loses its schedules with the process.
 */
export class MemoryScheduleStore implements ScheduleStore {
  private readonly schedules = new Map<string, Schedule>();
  private readonly claims = new Map<string, Set<number>>();
  private readonly last = new Map<string, number>();

  async put(schedule: Schedule): Promise<void> {
    this.schedules.set(schedule.id, structuredClone(schedule));
  }

  async get(id: string): Promise<Schedule | undefined> {
    const s = this.schedules.get(id);
    return s && structuredClone(s);
  }

  async delete(id: string): Promise<void> {
    this.schedules.delete(id);
    this.claims.delete(id);
    this.last.delete(id);
  }

  async list(): Promise<Schedule[]> {
    return [...this.schedules.values()].map((s) => structuredClone(s));
  }

  async claimTick(id: string, at: number): Promise<boolean> {
    let set = this.claims.get(id);
    if (!set) this.claims.set(id, (set = new Set()));
    if (set.has(at)) return false;
    set.add(at);
    // Only recent claims matter (ticks are claimed in increasing order); keep the set small.
    if (set.size > 1000) for (const t of [...set].sort((a, b) => a - b).slice(0, 500)) set.delete(t);
    this.last.set(id, Math.max(this.last.get(id) ?? at, at));
    return true;
  }

  async lastTick(id: string): Promise<number | undefined> {
    return this.last.get(id);
  }

  async close(): Promise<void> {}
}
