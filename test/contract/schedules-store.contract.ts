import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Schedule, ScheduleStore } from '../../src/ports/schedule-store.js';

export function testSchedule(overrides: Partial<Schedule> = {}): Schedule {
  const id = `ns-${randomUUID().slice(0, 8)}/t`;
  return {
    id,
    namespace: id.split('/')[0]!,
    trigger: 't',
    subject: 's',
    uuid: 'u',
    spec: { kind: 'interval', everyMs: 60_000, anchor: 0 },
    payload: { a: 1 },
    missed: 'latest',
    paused: false,
    createdAt: 0,
    ...overrides,
  };
}

/**
 * The ScheduleStore contract (src/ports/schedule-store.ts). `open` may be called several times: every store it
 * returns must share state (as processes sharing one Redis do).
 */
export function scheduleStoreContract(name: string, open: () => Promise<ScheduleStore>): void {
  describe(`ScheduleStore contract: ${name}`, () => {
    const opened: ScheduleStore[] = [];
    const store = async () => {
      const s = await open();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('puts, gets, lists and deletes schedules', async () => {
      const s = await store();
      const sched = testSchedule();
      await s.put(sched);
      expect(await s.get(sched.id)).toEqual(sched);
      expect((await s.list()).some((x) => x.id === sched.id)).toBe(true);
      await s.put({ ...sched, paused: true });
      expect((await s.get(sched.id))?.paused).toBe(true);
      await s.delete(sched.id);
      expect(await s.get(sched.id)).toBeUndefined();
      await s.delete(sched.id);
    });

    it('grants each tick to exactly one claimer, across store instances', async () => {
      const a = await store();
      const b = await store();
      const id = testSchedule().id;
      const results = await Promise.all([
        ...[1000, 2000, 3000].map((t) => a.claimTick(id, t)),
        ...[1000, 2000, 3000].map((t) => b.claimTick(id, t)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(3);
      expect(await a.claimTick(id, 2000)).toBe(false);
      expect(await b.lastTick(id)).toBe(3000);
    });

    it('never moves lastTick backwards, and resets it on delete', async () => {
      const s = await store();
      const sched = testSchedule();
      await s.put(sched);
      expect(await s.lastTick(sched.id)).toBeUndefined();
      await s.claimTick(sched.id, 5000);
      await s.claimTick(sched.id, 4000);
      expect(await s.lastTick(sched.id)).toBe(5000);
      await s.delete(sched.id);
      expect(await s.lastTick(sched.id)).toBeUndefined();
    });
  });
}
