import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nano from 'nano';
import { afterAll, describe, expect, it } from 'vitest';
import { CouchExecutionStore } from '../../src/adapters/store/couchdb/couch-execution-store.js';
import { FileExecutionStore } from '../../src/adapters/store/file/file-execution-store.js';
import { MemoryExecutionStore } from '../../src/adapters/store/memory/memory-execution-store.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { executionDoc, executionStoreContract } from './composition-execution-store.contract.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'whirl-exec-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

executionStoreContract('memory', async () => new MemoryExecutionStore());
executionStoreContract('file', async () => FileExecutionStore.open({ dir: await tempDir() }));

describe('file execution store: a reopened directory holds everything', () => {
  it('documents (latest save) and history survive a reopen', async () => {
    const dir = await tempDir();
    let store = await FileExecutionStore.open({ dir });
    const doc = executionDoc();
    await store.create(doc);
    await store.save(doc.id, { status: 'running', snapshot: { v: 2 } });
    await store.appendHistory(doc.id, [{ seq: 1, type: 'a' }]);
    await store.close();
    store = await FileExecutionStore.open({ dir });
    expect((await store.get(doc.id))?.snapshot).toEqual({ v: 2 });
    expect((await store.listActive()).map((d) => d.id)).toEqual([doc.id]);
    await store.appendHistory(doc.id, [{ seq: 1, type: 'dupe' }, { seq: 2, type: 'b' }]);
    expect(await store.history(doc.id, { afterSeq: 0, limit: 10 })).toEqual([{ seq: 1, type: 'a' }, { seq: 2, type: 'b' }]);
    await store.close();
  });

  it('history lives in a file per execution: opening reads none of it; an older main-log layout is moved there', async () => {
    const dir = await tempDir();
    let store = await FileExecutionStore.open({ dir });
    const doc = executionDoc();
    await store.create(doc);
    await store.appendHistory(doc.id, Array.from({ length: 50 }, (_, i) => ({ seq: i + 1, type: 'x', blob: 'y'.repeat(100) })));
    await store.close();
    const main = await readFile(join(dir, 'executions.jsonl'), 'utf8');
    expect(main).not.toContain('"entry"');
    // An older layout: history lines in the main log.
    const old = executionDoc();
    await appendFile(join(dir, 'executions.jsonl'), `${JSON.stringify({ _id: old.id, _rev: '1', doc: old })}\n${JSON.stringify({ _id: `${old.id}/1`, _rev: '1', exec: old.id, entry: { seq: 1, type: 'legacy' } })}\n`);
    store = await FileExecutionStore.open({ dir });
    expect((await store.history(doc.id, { afterSeq: 48, limit: 10 })).map((e) => e.seq)).toEqual([49, 50]);
    expect(await store.history(old.id, { afterSeq: 0, limit: 10 })).toEqual([{ seq: 1, type: 'legacy' }]);
    expect(await readFile(join(dir, 'executions.jsonl'), 'utf8')).not.toContain('"entry"');
    await store.appendHistory(doc.id, [{ seq: 50, type: 'dupe' }, { seq: 51, type: 'z' }]);
    expect((await store.history(doc.id, { afterSeq: 49, limit: 10 })).map((e) => e.type)).toEqual(['x', 'z']);
    await store.close();
  });

  it('transitions after the snapshot survive a reopen; those it covers are compacted away', async () => {
    const dir = await tempDir();
    let store = await FileExecutionStore.open({ dir });
    const doc = executionDoc();
    await store.create(doc);
    await store.appendHistory(doc.id, [], [{ n: 1, event: { e: 1 } }, { n: 2, event: { e: 2 } }]);
    await store.save(doc.id, { status: 'running', snapshot: { v: 2 }, snapshotAt: 1 });
    await store.close();
    store = await FileExecutionStore.open({ dir });
    expect(await store.transitions(doc.id, 0)).toEqual([{ n: 2, event: { e: 2 } }]);
    await store.close();
  });
});

describeWith(['couchdb'], 'CouchDB execution store', () => {
  const prefix = `whirl_test_exec_${randomUUID().slice(0, 8)}_`;
  afterAll(async () => {
    await nano(serviceUrl('couchdb')!).db.destroy(`${prefix}executions`).catch(() => {});
  });
  executionStoreContract('couchdb', () => CouchExecutionStore.open({ url: serviceUrl('couchdb')!, prefix }));
});
