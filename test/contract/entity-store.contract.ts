import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWhirlError } from '../../src/errors/whirl-error.js';
import type { ErrorCode } from '../../src/errors/codes.js';
import type { EntityDoc, EntityStore } from '../../src/ports/entity-store.js';

export interface EntityStoreContractHooks {
  /** A store whose backend has gone away after it was opened (every operation must report the outage). */
  openBroken?: () => Promise<EntityStore>;
}

interface TestDoc extends EntityDoc {
  exec: { kind: string; code: string };
  limits: { timeout: number };
  annotations: Array<{ key: string; value: unknown }>;
}

/** A namespace no other test uses, so tests share one store without seeing each other. */
export function uniqueNamespace(): string {
  return `ns${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export function testDoc(namespace: string, name: string, updated = Date.now()): TestDoc {
  return {
    namespace,
    name,
    updated,
    exec: { kind: 'nodejs:20', code: `function main() { return { name: '${name}' } }` },
    limits: { timeout: 60000 },
    annotations: [{ key: 'nested', value: { deep: [1, 'two', null, true] } }],
  };
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

export async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  const e = await rejection(p);
  expect(isWhirlError(e) ? e.code : e).toBe(code);
}

/** The EntityStore contract (src/ports/entity-store.ts), run against every adapter. */
export function entityStoreContract(name: string, open: () => Promise<EntityStore>, hooks: EntityStoreContractHooks = {}): void {
  describe(`EntityStore contract: ${name}`, () => {
    let store: EntityStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('creates with put without rev, and get returns the document and its revision', async () => {
      const ns = uniqueNamespace();
      const doc = testDoc(ns, 'hello');
      const created = await store.put('actions', doc);
      expect(created.doc).toEqual(doc);
      expect(created.rev).toMatch(/^1-[0-9a-f]+$/);
      const got = await store.get<TestDoc>('actions', ns, 'hello');
      expect(got).toEqual({ doc, rev: created.rev });
      expect(Object.keys(got!.doc).sort()).toEqual(Object.keys(doc).sort());
    });

    it('get of an absent entity is undefined', async () => {
      expect(await store.get('actions', uniqueNamespace(), 'nothing')).toBeUndefined();
    });

    it('put without rev on an existing entity fails with WHIRL_CONFLICT and leaves it unchanged', async () => {
      const ns = uniqueNamespace();
      const first = await store.put('actions', testDoc(ns, 'a', 1));
      await expectCode(store.put('actions', testDoc(ns, 'a', 2)), 'WHIRL_CONFLICT');
      expect(await store.get('actions', ns, 'a')).toEqual({ doc: testDoc(ns, 'a', 1), rev: first.rev });
    });

    it('put with the current rev updates and issues a new revision', async () => {
      const ns = uniqueNamespace();
      const first = await store.put('actions', testDoc(ns, 'a', 1));
      const changed = { ...testDoc(ns, 'a', 2), limits: { timeout: 1000 } };
      const second = await store.put('actions', changed, first.rev);
      expect(second.rev).not.toBe(first.rev);
      expect(second.rev).toMatch(/^2-[0-9a-f]+$/);
      expect(await store.get('actions', ns, 'a')).toEqual({ doc: changed, rev: second.rev });
    });

    it('put with a stale rev fails with WHIRL_CONCURRENT_MODIFICATION', async () => {
      const ns = uniqueNamespace();
      const first = await store.put('actions', testDoc(ns, 'a', 1));
      const second = await store.put('actions', testDoc(ns, 'a', 2), first.rev);
      await expectCode(store.put('actions', testDoc(ns, 'a', 3), first.rev), 'WHIRL_CONCURRENT_MODIFICATION');
      await expectCode(store.put('actions', testDoc(ns, 'a', 3), '9-deadbeef'), 'WHIRL_CONCURRENT_MODIFICATION');
      expect((await store.get('actions', ns, 'a'))?.rev).toBe(second.rev);
    });

    it('put with a rev of an entity that is gone fails with WHIRL_NOT_FOUND', async () => {
      const ns = uniqueNamespace();
      await expectCode(store.put('actions', testDoc(ns, 'never'), '1-abc'), 'WHIRL_NOT_FOUND');
      const first = await store.put('actions', testDoc(ns, 'gone'));
      await store.delete('actions', ns, 'gone', first.rev);
      await expectCode(store.put('actions', testDoc(ns, 'gone'), first.rev), 'WHIRL_NOT_FOUND');
      expect(await store.get('actions', ns, 'gone')).toBeUndefined();
    });

    it('delete removes with the current rev; absent → WHIRL_NOT_FOUND; stale rev → WHIRL_CONCURRENT_MODIFICATION', async () => {
      const ns = uniqueNamespace();
      await expectCode(store.delete('actions', ns, 'absent', '1-abc'), 'WHIRL_NOT_FOUND');
      const first = await store.put('actions', testDoc(ns, 'a', 1));
      const second = await store.put('actions', testDoc(ns, 'a', 2), first.rev);
      await expectCode(store.delete('actions', ns, 'a', first.rev), 'WHIRL_CONCURRENT_MODIFICATION');
      expect(await store.get('actions', ns, 'a')).toBeDefined();
      await store.delete('actions', ns, 'a', second.rev);
      expect(await store.get('actions', ns, 'a')).toBeUndefined();
      await expectCode(store.delete('actions', ns, 'a', second.rev), 'WHIRL_NOT_FOUND');
    });

    it('a deleted entity can be created again without a rev', async () => {
      const ns = uniqueNamespace();
      const first = await store.put('actions', testDoc(ns, 'a', 1));
      await store.delete('actions', ns, 'a', first.rev);
      const again = await store.put('actions', testDoc(ns, 'a', 5));
      expect(await store.get('actions', ns, 'a')).toEqual({ doc: testDoc(ns, 'a', 5), rev: again.rev });
    });

    it('of two concurrent creates exactly one wins; of two updates from one rev exactly one wins', async () => {
      const ns = uniqueNamespace();
      const creates = await Promise.allSettled([store.put('actions', testDoc(ns, 'a', 1)), store.put('actions', testDoc(ns, 'a', 2))]);
      expect(creates.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = creates.find((r) => r.status === 'rejected');
      expect(isWhirlError(lost?.reason, 'WHIRL_CONFLICT')).toBe(true);
      const rev = (await store.get('actions', ns, 'a'))!.rev;
      const updates = await Promise.allSettled([
        store.put('actions', testDoc(ns, 'a', 3), rev),
        store.put('actions', testDoc(ns, 'a', 4), rev),
      ]);
      expect(updates.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lostUpdate = updates.find((r) => r.status === 'rejected');
      expect(isWhirlError(lostUpdate?.reason, 'WHIRL_CONCURRENT_MODIFICATION')).toBe(true);
    });

    it('keys by (collection, namespace, name): the same name in other collections and namespaces is distinct', async () => {
      const ns = uniqueNamespace();
      await store.put('actions', testDoc(ns, 'x', 1));
      await store.put('triggers', testDoc(ns, 'x', 2));
      await store.put('actions', testDoc(`${ns}/pkg`, 'x', 3));
      expect((await store.get<TestDoc>('actions', ns, 'x'))?.doc.updated).toBe(1);
      expect((await store.get<TestDoc>('triggers', ns, 'x'))?.doc.updated).toBe(2);
      expect((await store.get<TestDoc>('actions', `${ns}/pkg`, 'x'))?.doc.updated).toBe(3);
      expect(await store.get('rules', ns, 'x')).toBeUndefined();
    });

    it('list is most recently updated first, then by name, paged by skip/limit; count matches', async () => {
      const ns = uniqueNamespace();
      const specs: Array<[string, number]> = [['b', 20], ['a', 20], ['c', 10], ['d', 30], ['e', 5], ['f', 20]];
      for (const [n, updated] of specs) await store.put('actions', testDoc(ns, n, updated));
      await store.put('triggers', testDoc(ns, 'z', 100));
      await store.put('actions', testDoc(`${ns}/pkg`, 'y', 100));
      await store.put('actions', testDoc(uniqueNamespace(), 'w', 100));
      const names = (docs: EntityDoc[]) => docs.map((d) => d.name);
      expect(names(await store.list('actions', ns, { skip: 0, limit: 100 }))).toEqual(['d', 'a', 'b', 'f', 'c', 'e']);
      expect(names(await store.list('actions', ns, { skip: 2, limit: 3 }))).toEqual(['b', 'f', 'c']);
      expect(names(await store.list('actions', ns, { skip: 6, limit: 3 }))).toEqual([]);
      expect(await store.list('actions', ns, { skip: 0, limit: 1 })).toEqual([testDoc(ns, 'd', 30)]);
      expect(names(await store.list('triggers', ns, { skip: 0, limit: 10 }))).toEqual(['z']);
      expect(names(await store.list('actions', `${ns}/pkg`, { skip: 0, limit: 10 }))).toEqual(['y']);
      expect(await store.count('actions', ns)).toBe(6);
      expect(await store.count('triggers', ns)).toBe(1);
      expect(await store.count('rules', ns)).toBe(0);
    });

    it('list and count follow updates and deletes', async () => {
      const ns = uniqueNamespace();
      const a = await store.put('actions', testDoc(ns, 'a', 1));
      const b = await store.put('actions', testDoc(ns, 'b', 2));
      await store.put('actions', testDoc(ns, 'a', 3), a.rev);
      expect((await store.list('actions', ns, { skip: 0, limit: 10 })).map((d) => d.name)).toEqual(['a', 'b']);
      await store.delete('actions', ns, 'b', b.rev);
      expect((await store.list('actions', ns, { skip: 0, limit: 10 })).map((d) => d.name)).toEqual(['a']);
      expect(await store.count('actions', ns)).toBe(1);
    });

    it('returned documents are copies: mutating them does not change the store', async () => {
      const ns = uniqueNamespace();
      const doc = testDoc(ns, 'a', 1);
      const stored = await store.put('actions', doc);
      doc.limits.timeout = 1;
      stored.doc.limits.timeout = 2;
      const got = await store.get<TestDoc>('actions', ns, 'a');
      got!.doc.exec.code = 'changed';
      const [listed] = await store.list<TestDoc>('actions', ns, { skip: 0, limit: 1 });
      listed!.annotations.push({ key: 'x', value: 1 });
      expect((await store.get('actions', ns, 'a'))?.doc).toEqual(testDoc(ns, 'a', 1));
    });

    if (hooks.openBroken) {
      const openBroken = hooks.openBroken;
      it('reports an unreachable backend as WHIRL_STORE_UNAVAILABLE on every operation', async () => {
        const broken = await openBroken();
        const ns = uniqueNamespace();
        await expectCode(broken.get('actions', ns, 'a'), 'WHIRL_STORE_UNAVAILABLE');
        await expectCode(broken.put('actions', testDoc(ns, 'a')), 'WHIRL_STORE_UNAVAILABLE');
        await expectCode(broken.put('actions', testDoc(ns, 'a'), '1-abc'), 'WHIRL_STORE_UNAVAILABLE');
        await expectCode(broken.delete('actions', ns, 'a', '1-abc'), 'WHIRL_STORE_UNAVAILABLE');
        await expectCode(broken.list('actions', ns, { skip: 0, limit: 10 }), 'WHIRL_STORE_UNAVAILABLE');
        await expectCode(broken.count('actions', ns), 'WHIRL_STORE_UNAVAILABLE');
        await broken.close();
      });
    }
  });
}
