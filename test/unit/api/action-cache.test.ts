import { describe, expect, it } from 'vitest';
import { ActionCache } from '../../../src/api/action-cache.js';
import type { Action } from '../../../src/domain/action.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { EntityStore, Stored } from '../../../src/ports/entity-store.js';

/** A store whose reads stay open until released, counting them; only `get` is used by the cache. */
function slowStore(docs: Map<string, number>) {
  const waiting: Array<() => void> = [];
  let reads = 0;
  const store = {
    get: async (_kind: string, namespace: string, name: string) => {
      reads++;
      const version = docs.get(`${namespace}/${name}`);
      await new Promise<void>((r) => waiting.push(r));
      if (version === undefined) return undefined;
      return { doc: { name, namespace, parameters: [], version: `0.0.${version}` }, rev: `${version}-x` } as unknown as Stored<Action>;
    },
  } as unknown as EntityStore;
  return {
    store,
    reads: () => reads,
    release: () => waiting.splice(0).forEach((r) => r()),
  };
}

function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  return { now: () => now, setTimeout: () => ({ cancel() {} }), advance: (ms) => void (now += ms) };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ActionCache', () => {
  it('concurrent misses share one store read, and hits within the ttl read nothing', async () => {
    const s = slowStore(new Map([['ns/a', 1]]));
    const clock = manualClock();
    const cache = new ActionCache(s.store, clock, 1000);
    const gets = Array.from({ length: 64 }, () => cache.get('ns', 'a'));
    await settle();
    s.release();
    const results = await Promise.all(gets);
    expect(s.reads()).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]?.stored.doc.version).toBe('0.0.1');

    clock.advance(999);
    await cache.get('ns', 'a');
    expect(s.reads()).toBe(1);
    clock.advance(2);
    const again = Array.from({ length: 10 }, () => cache.get('ns', 'a'));
    await settle();
    s.release();
    await Promise.all(again);
    expect(s.reads()).toBe(2);
  });

  it('a read that raced invalidate answers its callers but is not cached', async () => {
    const docs = new Map([['ns/a', 1]]);
    const s = slowStore(docs);
    const cache = new ActionCache(s.store, manualClock(), 1000);
    const racing = cache.get('ns', 'a');
    await settle();
    docs.set('ns/a', 2); // the write through this process
    cache.invalidate('ns', 'a');
    s.release();
    expect((await racing)?.stored.doc.version).toBe('0.0.1');
    const next = cache.get('ns', 'a');
    await settle();
    s.release();
    expect((await next)?.stored.doc.version).toBe('0.0.2');
    expect(s.reads()).toBe(2);
  });

  it('does not cache an absent action', async () => {
    const docs = new Map<string, number>();
    const s = slowStore(docs);
    const cache = new ActionCache(s.store, manualClock(), 1000);
    const first = cache.get('ns', 'a');
    await settle();
    s.release();
    expect(await first).toBeUndefined();
    docs.set('ns/a', 1);
    const second = cache.get('ns', 'a');
    await settle();
    s.release();
    expect((await second)?.stored.doc.version).toBe('0.0.1');
  });
});
