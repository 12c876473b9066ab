import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecutionDoc, ExecutionStore } from '../../src/ports/execution-store.js';

export function executionDoc(status: ExecutionDoc['status'] = 'running'): ExecutionDoc {
  return {
    id: randomUUID().replaceAll('-', ''),
    namespace: 'guest',
    subject: 'guest',
    kind: 'composition',
    name: 'c',
    version: '0.0.1',
    definition: { whirl: '1', root: { type: 'pass' } },
    recordAnnotations: [],
    start: 1,
    status,
    snapshot: { context: { n: 1 } },
  };
}

/** The ExecutionStore contract (src/ports/execution-store.ts), run against every adapter. */
export function executionStoreContract(name: string, open: () => Promise<ExecutionStore>): void {
  describe(`ExecutionStore contract: ${name}`, () => {
    const stores: ExecutionStore[] = [];
    const fresh = async () => {
      const s = await open();
      stores.push(s);
      return s;
    };
    afterAll(async () => {
      for (const s of stores) await s.close();
    });

    it('creates once, then refuses the same id with WHIRL_CONFLICT', async () => {
      const store = await fresh();
      const doc = executionDoc();
      await store.create(doc);
      expect(await store.get(doc.id)).toEqual(doc);
      await expect(store.create(doc)).rejects.toMatchObject({ code: 'WHIRL_CONFLICT' });
    });

    it('save replaces status, snapshot and result; unknown ids are WHIRL_NOT_FOUND', async () => {
      const store = await fresh();
      const doc = executionDoc();
      await store.create(doc);
      await store.save(doc.id, { status: 'running', snapshot: { context: { n: 2 } } });
      await store.save(doc.id, { status: 'succeeded', snapshot: { context: { n: 3 } }, end: 9, result: { ok: 1 } });
      expect(await store.get(doc.id)).toEqual({ ...doc, status: 'succeeded', snapshot: { context: { n: 3 } }, end: 9, result: { ok: 1 } });
      await expect(store.save('0'.repeat(32), { status: 'running', snapshot: {} })).rejects.toMatchObject({ code: 'WHIRL_NOT_FOUND' });
      expect(await store.get('f'.repeat(32))).toBeUndefined();
    });

    it('listActive returns running executions only', async () => {
      const store = await fresh();
      const running = executionDoc();
      const done = executionDoc();
      await store.create(running);
      await store.create(done);
      await store.save(done.id, { status: 'failed', snapshot: {}, error: { name: 'X' } });
      const ids = (await store.listActive()).map((d) => d.id);
      expect(ids).toContain(running.id);
      expect(ids).not.toContain(done.id);
    });

    it('history is append-only, ordered by seq, paged, and idempotent by seq', async () => {
      const store = await fresh();
      const doc = executionDoc();
      await store.create(doc);
      await store.appendHistory(doc.id, [{ seq: 1, type: 'a' }, { seq: 2, type: 'b' }]);
      await store.appendHistory(doc.id, [{ seq: 2, type: 'b-again' }, { seq: 3, type: 'c' }]);
      for (let seq = 4; seq <= 12; seq++) await store.appendHistory(doc.id, [{ seq, type: 'x' }]);
      const all = await store.history(doc.id, { afterSeq: 0, limit: 100 });
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(all[1]).toEqual({ seq: 2, type: 'b' });
      expect((await store.history(doc.id, { afterSeq: 2, limit: 2 })).map((e) => e.seq)).toEqual([3, 4]);
      expect(await store.history('e'.repeat(32), { afterSeq: 0, limit: 10 })).toEqual([]);
    });

    it('save stores the history entries passed with it, idempotent by seq', async () => {
      const store = await fresh();
      const doc = executionDoc();
      await store.create(doc);
      await store.appendHistory(doc.id, [{ seq: 1, type: 'a' }]);
      await store.save(doc.id, { status: 'running', snapshot: { n: 1 } }, [{ seq: 1, type: 'a-again' }, { seq: 2, type: 'b' }]);
      await store.save(doc.id, { status: 'running', snapshot: { n: 2 } }, [{ seq: 3, type: 'c' }]);
      expect(await store.history(doc.id, { afterSeq: 0, limit: 10 })).toEqual([
        { seq: 1, type: 'a' },
        { seq: 2, type: 'b' },
        { seq: 3, type: 'c' },
      ]);
      expect((await store.get(doc.id))?.snapshot).toEqual({ n: 2 });
      await expect(store.save('0'.repeat(32), { status: 'running', snapshot: {} }, [{ seq: 1 }])).rejects.toMatchObject({ code: 'WHIRL_NOT_FOUND' });
    });

    it('transitions are appended with history, idempotent by n, and read after a snapshot point', async () => {
      const store = await fresh();
      const doc = executionDoc();
      await store.create(doc);
      await store.appendHistory(doc.id, [{ seq: 1, type: 'a' }], [{ n: 1, event: { type: 'e1' } }]);
      await store.appendHistory(doc.id, [], [{ n: 1, event: { type: 'e1-again' } }, { n: 2, event: { type: 'e2' } }]);
      await store.appendHistory(doc.id, [{ seq: 2, type: 'b' }], [{ n: 3, event: { type: 'e3', data: { x: [1, 2] } } }]);
      expect(await store.transitions(doc.id, 0)).toEqual([
        { n: 1, event: { type: 'e1' } },
        { n: 2, event: { type: 'e2' } },
        { n: 3, event: { type: 'e3', data: { x: [1, 2] } } },
      ]);
      expect((await store.transitions(doc.id, 1)).map((t) => t.n)).toEqual([2, 3]);
      expect((await store.history(doc.id, { afterSeq: 0, limit: 10 })).map((e) => e.seq)).toEqual([1, 2]);
      // A snapshot covering the first two: every transition after it is still there.
      await store.save(doc.id, { status: 'running', snapshot: { at: 2 }, snapshotAt: 2 });
      expect((await store.get(doc.id))?.snapshotAt).toBe(2);
      expect((await store.transitions(doc.id, 2)).map((t) => t.n)).toEqual([3]);
      await store.appendHistory(doc.id, [], [{ n: 4, event: { type: 'e4' } }]);
      expect((await store.transitions(doc.id, 2)).map((t) => t.n)).toEqual([3, 4]);
      expect(await store.transitions('d'.repeat(32), 0)).toEqual([]);
    });

    it('lists one composition\'s executions newest first, by status, paged', async () => {
      const store = await fresh();
      const name = `list-${randomUUID().slice(0, 8)}`;
      const docs = [1, 2, 3, 4].map((start) => ({ ...executionDoc(), name, start }));
      for (const d of docs) await store.create(d);
      await store.create({ ...executionDoc(), name: `${name}-other`, start: 5 });
      await store.save(docs[1]!.id, { status: 'failed', snapshot: {}, end: 9, error: { name: 'X' } });
      const all = await store.list({ namespace: 'guest', kind: 'composition', name, skip: 0, limit: 10 });
      expect(all.map((d) => d.start)).toEqual([4, 3, 2, 1]);
      expect(all[2]).toEqual({ id: docs[1]!.id, name, version: '0.0.1', status: 'failed', start: 2, end: 9 });
      expect((await store.list({ namespace: 'guest', kind: 'composition', name, status: 'running', skip: 1, limit: 1 })).map((d) => d.start)).toEqual([3]);
      expect((await store.list({ namespace: 'guest', kind: 'composition', name, status: 'failed', skip: 0, limit: 10 })).map((d) => d.id)).toEqual([docs[1]!.id]);
      expect(await store.list({ namespace: 'other', kind: 'composition', name, skip: 0, limit: 10 })).toEqual([]);
    });
  });
}
