import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivationRecord } from '../../src/domain/activation.js';
import { newActivationId } from '../../src/domain/ids.js';
import type { ActivationQuery, ActivationStore } from '../../src/ports/activation-store.js';
import { expectCode, uniqueNamespace } from './entity-store.contract.js';

export interface ActivationStoreContractHooks {
  /** A store whose backend has gone away after it was opened (every operation must report the outage). */
  openBroken?: () => Promise<ActivationStore>;
}

export function testRecord(namespace: string, overrides: Partial<ActivationRecord> = {}): ActivationRecord {
  const start = overrides.start ?? 1_700_000_000_000;
  return {
    namespace,
    name: 'hello',
    version: '0.0.1',
    subject: 'guest',
    activationId: newActivationId(),
    start,
    end: start + 7,
    duration: 7,
    response: { statusCode: 0, result: { greeting: 'hi', nested: { list: [1, 2, null] } }, size: 42 },
    logs: ['2024-01-01T00:00:00.000Z stdout: hello'],
    annotations: [
      { key: 'path', value: `${namespace}/hello` },
      { key: 'limits', value: { timeout: 60000, memory: 256 } },
    ],
    publish: false,
    ...overrides,
  };
}

const ALL = { skip: 0, limit: 1000 };

/** The ActivationStore contract (src/ports/activation-store.ts), run against every adapter. */
export function activationStoreContract(
  name: string,
  open: () => Promise<ActivationStore>,
  hooks: ActivationStoreContractHooks = {},
): void {
  describe(`ActivationStore contract: ${name}`, () => {
    let store: ActivationStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    const ids = async (ns: string, q: ActivationQuery) => (await store.list(ns, q)).map((r) => r.activationId);

    it('stores a batch; get returns each record exactly as written', async () => {
      const ns = uniqueNamespace();
      const records = [testRecord(ns), testRecord(ns, { name: 'pkg/other', cause: newActivationId(), publish: true })];
      await store.putBatch(records);
      for (const r of records) expect(await store.get(ns, r.activationId)).toEqual(r);
    });

    it('get of an absent record, or of a record filed under another namespace, is undefined', async () => {
      const ns = uniqueNamespace();
      const r = testRecord(ns);
      await store.putBatch([r]);
      expect(await store.get(ns, newActivationId())).toBeUndefined();
      expect(await store.get(uniqueNamespace(), r.activationId)).toBeUndefined();
    });

    it('an empty batch resolves', async () => {
      await store.putBatch([]);
    });

    it('is idempotent by (namespace, activationId): the stored record is kept, not duplicated, not an error', async () => {
      const ns = uniqueNamespace();
      const r = testRecord(ns);
      await store.putBatch([r]);
      await store.putBatch([{ ...r, duration: 999 }]);
      const fresh = testRecord(ns, { start: r.start + 1 });
      await store.putBatch([r, fresh, fresh]);
      expect(await store.get(ns, r.activationId)).toEqual(r);
      expect(await store.get(ns, fresh.activationId)).toEqual(fresh);
      expect(await store.count(ns, {})).toBe(2);
      expect(await ids(ns, ALL)).toEqual([fresh.activationId, r.activationId]);
    });

    it('the same activationId in two namespaces is two records', async () => {
      const [ns1, ns2] = [uniqueNamespace(), uniqueNamespace()];
      const r1 = testRecord(ns1);
      const r2 = { ...testRecord(ns2), activationId: r1.activationId };
      await store.putBatch([r1, r2]);
      expect(await store.get(ns1, r1.activationId)).toEqual(r1);
      expect(await store.get(ns2, r1.activationId)).toEqual(r2);
    });

    it('lists newest start first (ties by activationId, descending), only the namespace asked for', async () => {
      const ns = uniqueNamespace();
      const starts = [5, 1, 9, 3, 7, 7, 2];
      const records = starts.map((s) => testRecord(ns, { start: 1000 + s }));
      await store.putBatch(records.slice(0, 4));
      await store.putBatch(records.slice(4));
      await store.putBatch([testRecord(uniqueNamespace(), { start: 1008 })]);
      const expected = [...records]
        .sort((a, b) => b.start - a.start || (a.activationId < b.activationId ? 1 : -1))
        .map((r) => r.activationId);
      expect(await ids(ns, ALL)).toEqual(expected);
      expect((await store.list(ns, ALL))[0]).toEqual(records[2]);
    });

    it('pages by skip and limit', async () => {
      const ns = uniqueNamespace();
      const records = Array.from({ length: 10 }, (_, i) => testRecord(ns, { start: 2000 + i }));
      await store.putBatch(records);
      const newestFirst = records.map((r) => r.activationId).reverse();
      expect(await ids(ns, { skip: 0, limit: 3 })).toEqual(newestFirst.slice(0, 3));
      expect(await ids(ns, { skip: 3, limit: 3 })).toEqual(newestFirst.slice(3, 6));
      expect(await ids(ns, { skip: 8, limit: 5 })).toEqual(newestFirst.slice(8));
      expect(await ids(ns, { skip: 10, limit: 5 })).toEqual([]);
      expect(await store.count(ns, {})).toBe(10);
    });

    it('filters by name (`action` or `pkg/action`), exactly', async () => {
      const ns = uniqueNamespace();
      const a1 = testRecord(ns, { name: 'a', start: 1 });
      const pa = testRecord(ns, { name: 'pkg/a', start: 2 });
      const a2 = testRecord(ns, { name: 'a', start: 3 });
      const b = testRecord(ns, { name: 'b', start: 4 });
      await store.putBatch([a1, pa, a2, b]);
      expect(await ids(ns, { ...ALL, name: 'a' })).toEqual([a2.activationId, a1.activationId]);
      expect(await ids(ns, { ...ALL, name: 'pkg/a' })).toEqual([pa.activationId]);
      expect(await ids(ns, { ...ALL, name: 'nothing' })).toEqual([]);
      expect(await ids(ns, { skip: 1, limit: 1, name: 'a' })).toEqual([a1.activationId]);
      expect(await store.count(ns, { name: 'a' })).toBe(2);
      expect(await store.count(ns, { name: 'pkg/a' })).toBe(1);
      expect(await store.count(ns, { name: 'nothing' })).toBe(0);
    });

    it('filters by since and upto, inclusive on start, alone, together and with a name', async () => {
      const ns = uniqueNamespace();
      const records = [10, 20, 20, 30, 40].map((s, i) => testRecord(ns, { start: s, name: i % 2 ? 'odd' : 'even' }));
      await store.putBatch(records);
      const startsOf = async (q: ActivationQuery) => (await store.list(ns, q)).map((r) => r.start);
      expect(await startsOf({ ...ALL, since: 20 })).toEqual([40, 30, 20, 20]);
      expect(await startsOf({ ...ALL, upto: 20 })).toEqual([20, 20, 10]);
      expect(await startsOf({ ...ALL, since: 20, upto: 30 })).toEqual([30, 20, 20]);
      expect(await startsOf({ ...ALL, since: 21, upto: 29 })).toEqual([]);
      expect(await startsOf({ ...ALL, since: 30, upto: 20 })).toEqual([]);
      expect(await startsOf({ ...ALL, since: 41 })).toEqual([]);
      expect(await startsOf({ ...ALL, upto: 9 })).toEqual([]);
      expect(await startsOf({ skip: 1, limit: 2, since: 15 })).toEqual([30, 20]);
      expect(await startsOf({ ...ALL, name: 'even', since: 15, upto: 40 })).toEqual([40, 20]);
      expect(await store.count(ns, { since: 20 })).toBe(4);
      expect(await store.count(ns, { upto: 20 })).toBe(3);
      expect(await store.count(ns, { since: 20, upto: 30 })).toBe(3);
      expect(await store.count(ns, { since: 30, upto: 20 })).toBe(0);
      expect(await store.count(ns, { name: 'odd', upto: 30 })).toBe(2);
      expect(await store.count(uniqueNamespace(), {})).toBe(0);
    });

    it('takes a large batch in one call', async () => {
      const ns = uniqueNamespace();
      const records = Array.from({ length: 600 }, (_, i) => testRecord(ns, { start: 5000 + i, name: `a${i % 3}` }));
      await store.putBatch(records);
      expect(await store.count(ns, {})).toBe(600);
      expect(await store.count(ns, { name: 'a1' })).toBe(200);
      expect(await ids(ns, { skip: 0, limit: 2 })).toEqual([records[599]!.activationId, records[598]!.activationId]);
    });

    it('returned records are copies: mutating them does not change the store', async () => {
      const ns = uniqueNamespace();
      const r = testRecord(ns);
      await store.putBatch([r]);
      const expected = structuredClone(r);
      r.logs.push('mutated input');
      (await store.get(ns, r.activationId))!.logs.push('mutated get');
      (await store.list(ns, ALL))[0]!.annotations.pop();
      expect(await store.get(ns, r.activationId)).toEqual(expected);
    });

    if (hooks.openBroken) {
      const openBroken = hooks.openBroken;
      it('reports an unreachable backend as WHIRL_STORE_UNAVAILABLE on every operation', async () => {
        const broken = await openBroken();
        const ns = uniqueNamespace();
        await expectCode(broken.putBatch([testRecord(ns)]), 'WHIRL_STORE_UNAVAILABLE');
        await expectCode(broken.get(ns, newActivationId()), 'WHIRL_STORE_UNAVAILABLE');
        await expectCode(broken.list(ns, ALL), 'WHIRL_STORE_UNAVAILABLE');
        await expectCode(broken.count(ns, {}), 'WHIRL_STORE_UNAVAILABLE');
        await broken.close();
      });
    }
  });
}
