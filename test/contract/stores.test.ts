import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nano from 'nano';
import { afterAll, describe, expect, it } from 'vitest';
import { CouchActivationStore, CouchEntityStore } from '../../src/adapters/store/couchdb/index.js';
import { FileActivationStore, FileEntityStore } from '../../src/adapters/store/file/index.js';
import { MemoryActivationStore, MemoryEntityStore } from '../../src/adapters/store/memory/index.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { freePort } from '../helpers/whirl-process.js';
import { activationStoreContract, testRecord } from './activation-store.contract.js';
import { entityStoreContract, expectCode, testDoc, uniqueNamespace } from './entity-store.contract.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'whirl-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

entityStoreContract('memory', async () => new MemoryEntityStore());
activationStoreContract('memory', async () => new MemoryActivationStore());

/** A closed store stands in for a broken disk: the file adapters must not pretend a write happened. */
entityStoreContract('file', async () => FileEntityStore.open({ dir: await tempDir() }), {
  openBroken: async () => {
    const store = await FileEntityStore.open({ dir: await tempDir() });
    await store.close();
    return store;
  },
});
activationStoreContract('file', async () => FileActivationStore.open({ dir: await tempDir() }), {
  openBroken: async () => {
    const store = await FileActivationStore.open({ dir: await tempDir() });
    await store.close();
    return store;
  },
});

describe('file stores: a reopened directory holds everything', () => {
  it('entities: creates, updates and deletes survive a reopen, with their revisions', async () => {
    const dir = await tempDir();
    const ns = uniqueNamespace();
    let store = await FileEntityStore.open({ dir });
    const a = await store.put('actions', testDoc(ns, 'a', 1));
    const a2 = await store.put('actions', testDoc(ns, 'a', 3), a.rev);
    const b = await store.put('actions', testDoc(ns, 'b', 2));
    await store.put('triggers', testDoc(ns, 'b', 2));
    await store.delete('actions', ns, 'b', b.rev);
    await store.close();

    store = await FileEntityStore.open({ dir });
    expect(await store.get('actions', ns, 'a')).toEqual({ doc: testDoc(ns, 'a', 3), rev: a2.rev });
    expect(await store.get('actions', ns, 'b')).toBeUndefined();
    expect(await store.get('triggers', ns, 'b')).toEqual({ doc: testDoc(ns, 'b', 2), rev: expect.any(String) });
    expect(await store.count('actions', ns)).toBe(1);
    await expectCode(store.put('actions', testDoc(ns, 'a', 4), a.rev), 'WHIRL_CONCURRENT_MODIFICATION');
    await store.put('actions', testDoc(ns, 'a', 4), a2.rev);
    await store.close();
  });

  it('activations: records, their order and their idempotence survive a reopen', async () => {
    const dir = await tempDir();
    const ns = uniqueNamespace();
    const records = [3, 1, 2].map((s) => testRecord(ns, { start: s }));
    let store = await FileActivationStore.open({ dir });
    await store.putBatch(records);
    await store.close();

    store = await FileActivationStore.open({ dir });
    expect(await store.get(ns, records[0]!.activationId)).toEqual(records[0]);
    expect((await store.list(ns, { skip: 0, limit: 10 })).map((r) => r.start)).toEqual([3, 2, 1]);
    await store.putBatch([records[1]!]);
    expect(await store.count(ns, {})).toBe(3);
    await store.close();
  });
});

/** A TCP forwarder to CouchDB that can be cut, so a store can lose its server after it opened. */
async function cuttableProxy(target: URL): Promise<{ url: string; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target.href);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.href.replace(/\/$/, ''),
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

describeWith(['couchdb'], 'CouchDB stores', () => {
  const url = serviceUrl('couchdb') ?? '';
  const prefix = `whirl_test_${randomUUID().replaceAll('-', '').slice(0, 12)}_`;
  const brokenPrefix = `${prefix}broken_`;
  const options = { url, prefix };

  afterAll(async () => {
    const server = nano(url);
    for (const p of [prefix, brokenPrefix]) {
      for (const db of ['entities', 'activations']) await server.db.destroy(`${p}${db}`).catch(() => {});
    }
  });

  async function openedThenCut<T>(open: (o: typeof options) => Promise<T>): Promise<T> {
    const proxy = await cuttableProxy(new URL(url));
    const store = await open({ url: proxy.url, prefix: brokenPrefix });
    await proxy.cut();
    return store;
  }

  entityStoreContract('couchdb', () => CouchEntityStore.open(options), {
    openBroken: () => openedThenCut((o) => CouchEntityStore.open(o)),
  });
  activationStoreContract('couchdb', () => CouchActivationStore.open(options), {
    openBroken: () => openedThenCut((o) => CouchActivationStore.open(o)),
  });

  it('open against a server that is not listening fails with WHIRL_STORE_UNAVAILABLE', async () => {
    const down = { url: await closedPortUrl(), prefix };
    await expectCode(CouchEntityStore.open(down), 'WHIRL_STORE_UNAVAILABLE');
    await expectCode(CouchActivationStore.open(down), 'WHIRL_STORE_UNAVAILABLE');
  });

  it('open is idempotent and shares the databases: a second store sees the first one’s writes', async () => {
    const [e1, e2] = [await CouchEntityStore.open(options), await CouchEntityStore.open(options)];
    const ns = uniqueNamespace();
    await e1.put('actions', testDoc(ns, 'shared', 7));
    expect((await e2.get('actions', ns, 'shared'))?.doc).toEqual(testDoc(ns, 'shared', 7));
    const [a1, a2] = [await CouchActivationStore.open(options), await CouchActivationStore.open(options)];
    const r = testRecord(ns);
    await a1.putBatch([r]);
    expect(await a2.get(ns, r.activationId)).toEqual(r);
    for (const s of [e1, e2, a1, a2]) await s.close();
  });
});
