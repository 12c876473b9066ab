import { afterEach, describe, expect, it } from 'vitest';
import type { InvokerRegistry } from '../../src/ports/invoker-registry.js';

export interface InvokerRegistryHooks {
  /** A registry that forgets entries older than `forgetMs`. */
  make(forgetMs: number): Promise<InvokerRegistry>;
  /** Lets `ms` of registry time pass (real time for Redis, a fake clock for memory). */
  advance(ms: number): Promise<void>;
}

/** The InvokerRegistry contract (src/ports/invoker-registry.ts), run against every adapter. */
export function invokerRegistryContract(name: string, hooks: InvokerRegistryHooks): void {
  describe(`InvokerRegistry contract: ${name}`, () => {
    const open: InvokerRegistry[] = [];
    afterEach(async () => {
      for (const r of open.splice(0)) await r.close();
    });
    const make = async (forgetMs = 60_000) => {
      const r = await hooks.make(forgetMs);
      open.push(r);
      return r;
    };

    it('lists heartbeats sorted by id, with the latest load and a small age', async () => {
      const r = await make();
      expect(await r.list()).toEqual([]);
      await r.heartbeat({ id: 'inv-b', memoryMB: 1024, freeMB: 512 });
      await r.heartbeat({ id: 'inv-a', memoryMB: 2048, freeMB: 2048 });
      await r.heartbeat({ id: 'inv-b', memoryMB: 1024, freeMB: 256 });
      const list = await r.list();
      expect(list.map(({ ageMs: _, ...rest }) => rest)).toEqual([
        { id: 'inv-a', memoryMB: 2048, freeMB: 2048 },
        { id: 'inv-b', memoryMB: 1024, freeMB: 256 },
      ]);
      for (const s of list) expect(s.ageMs).toBeLessThan(1000);
    });

    it('ages entries between heartbeats and forgets them after forgetMs', async () => {
      const r = await make(600);
      await r.heartbeat({ id: 'old', memoryMB: 1, freeMB: 1 });
      await hooks.advance(300);
      await r.heartbeat({ id: 'young', memoryMB: 1, freeMB: 1 });
      const aged = await r.list();
      expect(aged.find((s) => s.id === 'old')!.ageMs).toBeGreaterThanOrEqual(290);
      await hooks.advance(400);
      expect((await r.list()).map((s) => s.id)).toEqual(['young']);
      await r.heartbeat({ id: 'old', memoryMB: 1, freeMB: 1 });
      expect((await r.list()).map((s) => s.id)).toEqual(['old', 'young']);
    });
  });
}
