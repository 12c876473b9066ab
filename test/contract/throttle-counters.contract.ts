import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isWhirlError } from '../../src/errors/whirl-error.js';
import type { ThrottleCounters } from '../../src/ports/throttle-counters.js';

/** The ThrottleCounters contract (src/ports/throttle-counters.ts), run against every adapter. */
export function throttleCountersContract(
  name: string,
  make: () => Promise<ThrottleCounters>,
  makeUnreachable?: () => Promise<ThrottleCounters>,
): void {
  describe(`ThrottleCounters contract: ${name}`, () => {
    const opened: ThrottleCounters[] = [];
    const open = async () => {
      const c = await make();
      opened.push(c);
      return c;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((c) => c.close()));
    });
    const key = () => `k-${randomUUID()}`;

    it('counts hits per key and per window', async () => {
      const c = await open();
      const a = key();
      const b = key();
      expect([await c.hit(a, 7, 60_000), await c.hit(a, 7, 60_000), await c.hit(a, 7, 60_000)]).toEqual([1, 2, 3]);
      expect(await c.hit(b, 7, 60_000)).toBe(1);
      expect(await c.hit(a, 8, 60_000)).toBe(1);
    });

    it('counts concurrent hits exactly', async () => {
      const c = await open();
      const k = key();
      const counts = await Promise.all(Array.from({ length: 50 }, () => c.hit(k, 1, 60_000)));
      expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('gives at most `limit` slots, and a released slot can be taken again', async () => {
      const c = await open();
      const k = key();
      expect(await c.acquire(k, 'a', 2, 10_000, 0)).toEqual({ acquired: true, count: 1 });
      expect(await c.acquire(k, 'b', 2, 10_000, 0)).toEqual({ acquired: true, count: 2 });
      expect(await c.acquire(k, 'c', 2, 10_000, 0)).toEqual({ acquired: false, count: 2 });
      expect(await c.held(k, 0)).toBe(2);
      await c.release(k, 'a');
      await c.release(k, 'unknown');
      expect(await c.acquire(k, 'c', 2, 10_000, 0)).toEqual({ acquired: true, count: 2 });
    });

    it('re-acquiring a held member renews it without taking a second slot', async () => {
      const c = await open();
      const k = key();
      await c.acquire(k, 'a', 1, 1_000, 0);
      expect(await c.acquire(k, 'a', 1, 5_000, 500)).toEqual({ acquired: true, count: 1 });
      expect(await c.held(k, 2_000)).toBe(1);
    });

    it('drops slots whose lease ended', async () => {
      const c = await open();
      const k = key();
      await c.acquire(k, 'a', 1, 1_000, 0);
      expect((await c.acquire(k, 'b', 1, 2_000, 999)).acquired).toBe(false);
      expect(await c.acquire(k, 'b', 1, 2_000, 1_000)).toEqual({ acquired: true, count: 1 });
      expect(await c.held(k, 2_000)).toBe(0);
    });

    it('never gives more than `limit` slots to concurrent callers', async () => {
      const c = await open();
      const k = key();
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => c.acquire(k, `m${i}`, 5, 10_000, 0)));
      expect(answers.filter((a) => a.acquired)).toHaveLength(5);
      expect(await c.held(k, 0)).toBe(5);
    });

    if (makeUnreachable) {
      it('rejects with WHIRL_UNAVAILABLE when the backend is unreachable', async () => {
        const c = await makeUnreachable();
        opened.push(c);
        const err = await c.hit(key(), 1, 60_000).catch((e: unknown) => e);
        expect(isWhirlError(err, 'WHIRL_UNAVAILABLE')).toBe(true);
      });
    }
  });
}
