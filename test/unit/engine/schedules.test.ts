import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryScheduleStore } from '../../../src/adapters/schedules/memory-schedule-store.js';
import { RedisScheduleStore } from '../../../src/adapters/schedules/redis-schedule-store.js';
import { Scheduler } from '../../../src/engine/schedules/scheduler.js';
import { dueTicks, nextTick } from '../../../src/engine/schedules/ticks.js';
import { WhirlError } from '../../../src/errors/whirl-error.js';
import type { Clock } from '../../../src/ports/clock.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { Schedule, ScheduleStore } from '../../../src/ports/schedule-store.js';
import { describeWith, serviceUrl } from '../../helpers/services.js';

const MIN = 60_000;
const T0 = Date.UTC(2030, 0, 1, 0, 0, 0);
const options = { pollMs: 1000, toleranceMs: 30_000, maxCatchUp: 5 };

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    id: `ns-${randomUUID().slice(0, 8)}/t`,
    namespace: 'ns',
    trigger: 't',
    subject: 's',
    uuid: 'u',
    spec: { kind: 'cron', cron: '* * * * *' },
    payload: { hello: 'world' },
    missed: 'latest',
    paused: false,
    createdAt: T0,
    ...overrides,
  };
}

class FakeClock implements Clock {
  constructor(public t: number) {}
  now() {
    return this.t;
  }
  setTimeout() {
    return { cancel() {} };
  }
}

describe('schedule ticks (pure)', () => {
  it('computes cron, interval and once ticks', () => {
    expect(nextTick({ kind: 'cron', cron: '*/5 * * * *' }, T0)).toBe(T0 + 5 * MIN);
    expect(nextTick({ kind: 'interval', everyMs: 90_000, anchor: T0 }, T0 + 100_000)).toBe(T0 + 180_000);
    expect(nextTick({ kind: 'once', at: T0 + 1 }, T0)).toBe(T0 + 1);
    expect(nextTick({ kind: 'once', at: T0 + 1 }, T0 + 1)).toBeUndefined();
  });

  it('fires on-time ticks and applies the missed-tick policy to late ones', () => {
    const now = T0 + 10 * MIN + 5_000; // ticks at +1..+10 min; only +10 is within 30 s
    expect(dueTicks(schedule({ missed: 'skip' }), undefined, now, options)).toMatchObject({ fire: [T0 + 10 * MIN], skipped: 9 });
    expect(dueTicks(schedule({ missed: 'latest' }), undefined, now, options).fire).toEqual([T0 + 9 * MIN, T0 + 10 * MIN]);
    const all = dueTicks(schedule({ missed: 'all' }), undefined, now, options);
    expect(all.fire).toEqual([5, 6, 7, 8, 9, 10].map((m) => T0 + m * MIN)); // maxCatchUp 5 missed + 1 on time
    expect(all.skipped).toBe(4);
    // Nothing after the last claimed tick.
    expect(dueTicks(schedule(), T0 + 10 * MIN, now, options).fire).toEqual([]);
  });

  it('honours startAt and stopAt, and reports finished schedules', () => {
    const s = schedule({ startAt: T0 + 3 * MIN, stopAt: T0 + 4 * MIN, missed: 'all' });
    const plan = dueTicks(s, undefined, T0 + 10 * MIN, options);
    expect(plan.fire).toEqual([T0 + 3 * MIN, T0 + 4 * MIN]);
    expect(plan.finished).toBe(true);
    const once = dueTicks(schedule({ spec: { kind: 'once', at: T0 + 1000 } }), undefined, T0 + 2000, options);
    expect(once).toMatchObject({ fire: [T0 + 1000], finished: true });
  });
});

/** Two schedulers (two API processes) over one store, one injected clock, counting fires per tick. */
function twoProcesses(store: () => Promise<ScheduleStore>, label: string) {
  describe(`scheduler with two processes: ${label}`, () => {
    const opened: ScheduleStore[] = [];
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    async function setup(s: Schedule) {
      const a = await store();
      const b = await store();
      opened.push(a, b);
      await a.put(s);
      const clock = new FakeClock(T0);
      const fires: Array<{ tick: number; by: string }> = [];
      const make = (by: string, st: ScheduleStore) =>
        new Scheduler({
          store: st,
          clock,
          logger: silentLogger,
          options,
          fire: async (fired, tick) => {
            // Yield, so the two passes genuinely interleave.
            await new Promise((r) => setImmediate(r));
            // The store is shared with the other tests' schedules: count only this test's.
            if (fired.id === s.id) fires.push({ tick, by });
          },
        });
      return { clock, fires, p1: make('p1', a), p2: make('p2', b), store: a };
    }

    it('fires each tick exactly once however the two processes interleave', async () => {
      const { clock, fires, p1, p2 } = await setup(schedule());
      for (let i = 1; i <= 5; i++) {
        clock.t = T0 + i * MIN + 200;
        await Promise.all([p1.runOnce(), p2.runOnce(), p1.runOnce()]);
      }
      expect(fires.map((f) => f.tick).sort()).toEqual([1, 2, 3, 4, 5].map((m) => T0 + m * MIN));
    });

    it('after every process was down, catches up by the policy (latest: one late tick, then on time)', async () => {
      const { clock, fires, p1, p2 } = await setup(schedule({ missed: 'latest' }));
      clock.t = T0 + MIN + 100;
      await Promise.all([p1.runOnce(), p2.runOnce()]);
      clock.t = T0 + 30 * MIN + 100; // down for 29 minutes
      await Promise.all([p1.runOnce(), p2.runOnce()]);
      expect(fires.map((f) => f.tick)).toEqual([T0 + MIN, T0 + 29 * MIN, T0 + 30 * MIN]);
    });

    it('removes the schedule when its trigger is gone, and skips paused schedules', async () => {
      const s = schedule();
      const { clock, p1, store: st } = await setup({ ...s, paused: true });
      clock.t = T0 + 5 * MIN;
      expect(await p1.runOnce()).toBe(0);
      await st.put(s);
      const gone = new Scheduler({
        store: st,
        clock,
        logger: silentLogger,
        options,
        fire: async () => {
          throw new WhirlError('WHIRL_NOT_FOUND');
        },
      });
      await gone.runOnce();
      expect(await st.get(s.id)).toBeUndefined();
    });
  });
}

const memory = new MemoryScheduleStore();
twoProcesses(async () => memory, 'memory');

describeWith(['redis'], 'scheduler on redis', () => {
  const prefix = `whirl-test-sched-${randomUUID().slice(0, 8)}`;
  twoProcesses(async () => new RedisScheduleStore({ redisUrl: serviceUrl('redis')!, prefix, logger: silentLogger }), 'redis');
  afterAll(async () => {
    const redis = new Redis(serviceUrl('redis')!);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
});
