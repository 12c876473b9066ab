import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileActivationStore, FileEntityStore } from '../../../src/adapters/store/file/index.js';
import { testRecord } from '../../contract/activation-store.contract.js';
import { expectCode, testDoc, uniqueNamespace } from '../../contract/entity-store.contract.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'whirl-file-log-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((l) => l.length > 0);
}

describe('file store logs', () => {
  it('cut off a torn last line (a crash mid-append) at open, and keep appending cleanly', async () => {
    const dir = await tempDir();
    const ns = uniqueNamespace();
    const [r1, r2] = [testRecord(ns, { start: 1 }), testRecord(ns, { start: 2 })];
    let store = await FileActivationStore.open({ dir });
    await store.putBatch([r1]);
    await store.close();
    await appendFile(join(dir, 'activations.jsonl'), '{"_id":"torn","namespa');

    store = await FileActivationStore.open({ dir });
    expect(await store.count(ns, {})).toBe(1);
    await store.putBatch([r2]);
    await store.close();
    store = await FileActivationStore.open({ dir });
    expect(await store.list(ns, { skip: 0, limit: 10 })).toEqual([r2, r1]);
    await store.close();
    expect(await lines(join(dir, 'activations.jsonl'))).toHaveLength(2);
  });

  it('keep a complete last line that lost only its newline', async () => {
    const dir = await tempDir();
    const ns = uniqueNamespace();
    const doc = testDoc(ns, 'a', 1);
    await writeFile(join(dir, 'entities.jsonl'), JSON.stringify({ _id: `actions/${ns}/a`, _rev: '1-abc', ...doc }));
    let store = await FileEntityStore.open({ dir });
    expect(await store.get('actions', ns, 'a')).toEqual({ doc, rev: '1-abc' });
    await store.put('actions', testDoc(ns, 'b', 2));
    await store.close();
    store = await FileEntityStore.open({ dir });
    expect(await store.count('actions', ns)).toBe(2);
    await store.close();
  });

  it('refuse to open a log with a corrupt line before the last one', async () => {
    const dir = await tempDir();
    const ns = uniqueNamespace();
    const good = JSON.stringify({ _id: `actions/${ns}/a`, _rev: '1-abc', ...testDoc(ns, 'a', 1) });
    await writeFile(join(dir, 'entities.jsonl'), `${good}\n{garbage\n${good}\n`);
    await expectCode(FileEntityStore.open({ dir }), 'WHIRL_STORE_UNAVAILABLE');
  });

  it('compact superseded lines at open, keeping every live document and revision', async () => {
    const dir = await tempDir();
    const ns = uniqueNamespace();
    let store = await FileEntityStore.open({ dir, compactMinSuperseded: 10 });
    let stored = await store.put('actions', testDoc(ns, 'a', 0));
    for (let i = 1; i <= 30; i++) stored = await store.put('actions', testDoc(ns, 'a', i), stored.rev);
    const gone = await store.put('actions', testDoc(ns, 'gone', 1));
    await store.delete('actions', ns, 'gone', gone.rev);
    await store.put('triggers', testDoc(ns, 't', 5));
    await store.close();
    expect(await lines(join(dir, 'entities.jsonl'))).toHaveLength(34);

    store = await FileEntityStore.open({ dir, compactMinSuperseded: 10 });
    expect(await lines(join(dir, 'entities.jsonl'))).toHaveLength(2);
    expect(await store.get('actions', ns, 'a')).toEqual({ doc: testDoc(ns, 'a', 30), rev: stored.rev });
    expect(await store.get('actions', ns, 'gone')).toBeUndefined();
    expect(await store.get('triggers', ns, 't')).toBeDefined();
    await store.put('actions', testDoc(ns, 'a', 31), stored.rev);
    await store.close();
    store = await FileEntityStore.open({ dir });
    expect((await store.get('actions', ns, 'a'))?.doc.updated).toBe(31);
    await store.close();
  });

  it('make every record of concurrent batches durable (shared fsyncs lose nothing)', async () => {
    const dir = await tempDir();
    const ns = uniqueNamespace();
    let store = await FileActivationStore.open({ dir });
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 25 }, (_, i) => testRecord(ns, { start: b * 100 + i })),
    );
    await Promise.all(batches.map((batch) => store.putBatch(batch)));
    expect(await store.count(ns, {})).toBe(500);
    await store.close();
    store = await FileActivationStore.open({ dir });
    expect(await store.count(ns, {})).toBe(500);
    expect((await store.list(ns, { skip: 0, limit: 1 }))[0]).toEqual(batches[19]![24]);
    await store.close();
  });

  it('fail to open where the directory cannot exist', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await expectCode(FileEntityStore.open({ dir: join(dir, 'file', 'sub') }), 'WHIRL_STORE_UNAVAILABLE');
    await expectCode(FileActivationStore.open({ dir: join(dir, 'file', 'sub') }), 'WHIRL_STORE_UNAVAILABLE');
  });
});
