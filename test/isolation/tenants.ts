import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CouchEntityStore } from '../../src/adapters/store/couchdb/couch-entity-store.js';
import { FileEntityStore } from '../../src/adapters/store/file/file-entity-store.js';
import { ensureSubject } from '../../src/api/auth/authenticator.js';
import type { EntityStore } from '../../src/ports/entity-store.js';
import { serviceUrl } from '../helpers/services.js';
import { startTestWhirl, type Mode, type TestWhirl } from '../helpers/whirl.js';

/** A subject: its namespace and its `uuid:key` credentials. */
export interface Tenant {
  namespace: string;
  auth: string;
  uuid: string;
  key: string;
}

export interface TwoTenants {
  whirl: TestWhirl;
  alice: Tenant;
  bob: Tenant;
  /** Where the store keeps its bytes: the file store's directory, or the CouchDB database prefix. */
  dataDir: string;
  couchPrefix: string;
  stop(): Promise<void>;
}

export function tenant(namespace: string): Tenant {
  const uuid = randomUUID();
  const key = `${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}`;
  return { namespace, uuid, key, auth: `${uuid}:${key}` };
}

/**
 * A test Whirl with two more subjects, `alice-<id>` and `bob-<id>`, seeded with `ensureSubject` into the very store
 * the Whirl then opens (before it starts, so no two writers share the file store). `env` overrides the test config.
 */
export async function startTwoTenants(mode: Mode, env: Record<string, string> = {}): Promise<TwoTenants> {
  const id = randomUUID().slice(0, 8);
  const alice = tenant(`alice-${id}`);
  const bob = tenant(`bob-${id}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'whirl-isolation-'));
  const couchPrefix = `whirl_test_iso_${id}_`;
  const store: EntityStore =
    mode === 'full'
      ? await CouchEntityStore.open({ url: serviceUrl('couchdb') ?? '', prefix: couchPrefix })
      : await FileEntityStore.open({ dir: dataDir });
  for (const t of [alice, bob]) await ensureSubject(store, { namespace: t.namespace, uuid: t.uuid, key: t.key });
  await store.close();
  const whirl = await startTestWhirl(mode, { WHIRL_DATA_DIR: dataDir, WHIRL_COUCHDB_PREFIX: couchPrefix, ...env });
  return {
    whirl,
    alice,
    bob,
    dataDir,
    couchPrefix,
    async stop() {
      await whirl.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
