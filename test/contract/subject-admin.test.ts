import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CouchEntityStore } from '../../src/adapters/store/couchdb/couch-entity-store.js';
import { FileEntityStore } from '../../src/adapters/store/file/file-entity-store.js';
import { MemoryEntityStore } from '../../src/adapters/store/memory/index.js';
import { Authenticator } from '../../src/api/auth/authenticator.js';
import { createSubject, deleteSubject, getSubject, listNamespace } from '../../src/api/auth/subject-admin.js';
import { isWhirlError } from '../../src/errors/whirl-error.js';
import { systemClock } from '../../src/ports/clock.js';
import type { EntityStore } from '../../src/ports/entity-store.js';
import { describeWith, serviceUrl } from '../helpers/services.js';

/** `whirl admin user`'s operations on every entity store: keys work once created, are stored hashed, and stop on delete. */
function subjectAdminContract(name: string, open: () => Promise<{ store: EntityStore; bytes(namespaces: string[]): Promise<string> }>): void {
  describe(`subject admin: ${name}`, () => {
    const basic = (auth: string) => `Basic ${Buffer.from(auth).toString('base64')}`;

    it('creates keys per namespace, stored hashed, that authenticate; lists, gets and deletes them', async () => {
      const { store, bytes } = await open();
      try {
        const subject = `s-${randomUUID().slice(0, 8)}`;
        const own = await createSubject(store, { subject });
        const shared = await createSubject(store, { subject, namespace: `${subject}-team` });
        const [uuid, key] = own.split(':') as [string, string];
        expect(key).toMatch(/^[A-Za-z0-9]{64}$/);
        const auth = new Authenticator(store, systemClock, { ttlMs: 0 });
        expect(await auth.authenticate(basic(own))).toEqual({ namespace: subject, subject, uuid });
        expect((await auth.authenticate(basic(shared))).namespace).toBe(`${subject}-team`);
        const stored = await bytes([subject, `${subject}-team`]);
        expect(stored).toContain(uuid);
        expect(stored).toContain('scrypt$');
        expect(stored).not.toContain(key);

        expect((await getSubject(store, subject)).map((e) => e.namespace).sort()).toEqual([subject, `${subject}-team`]);
        expect(await listNamespace(store, `${subject}-team`)).toEqual([{ subject, namespace: `${subject}-team`, uuid: shared.split(':')[0] }]);
        await expect(createSubject(store, { subject })).rejects.toSatisfy((e) => isWhirlError(e, 'WHIRL_CONFLICT'));
        await expect(createSubject(store, { subject: 'bad/name' })).rejects.toSatisfy((e) => isWhirlError(e, 'WHIRL_INVALID_NAME'));

        expect((await deleteSubject(store, subject, `${subject}-team`)).length).toBe(1);
        await expect(new Authenticator(store, systemClock).authenticate(basic(shared))).rejects.toSatisfy((e) => isWhirlError(e, 'WHIRL_UNAUTHENTICATED'));
        expect((await new Authenticator(store, systemClock).authenticate(basic(own))).namespace).toBe(subject);
        await deleteSubject(store, subject);
        expect(await getSubject(store, subject)).toEqual([]);
        await expect(deleteSubject(store, subject)).rejects.toSatisfy((e) => isWhirlError(e, 'WHIRL_NOT_FOUND'));

        const given = `${randomUUID()}:${'k'.repeat(40)}`;
        expect(await createSubject(store, { subject: `${subject}-2`, auth: given })).toBe(given);
      } finally {
        await store.close();
      }
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

subjectAdminContract('memory', async () => {
  const store = new MemoryEntityStore();
  const bytes = async (namespaces: string[]) =>
    JSON.stringify(await Promise.all(namespaces.map((ns) => store.list('subjects', ns, { limit: 200, skip: 0 }))));
  return { store, bytes };
});

subjectAdminContract('file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'whirl-subjects-'));
  dirs.push(dir);
  return { store: await FileEntityStore.open({ dir }), bytes: async () => readFileSync(join(dir, 'entities.jsonl'), 'utf8') };
});

describeWith(['couchdb'], 'subject admin on CouchDB', () => {
  subjectAdminContract('couchdb', async () => {
    const prefix = `whirl_test_subj_${randomUUID().slice(0, 8)}_`;
    const url = serviceUrl('couchdb') ?? '';
    const store = await CouchEntityStore.open({ url, prefix });
    const bytes = async () => {
      const res = await fetch(`${url}/${prefix}entities/_all_docs?include_docs=true`);
      return res.ok ? await res.text() : `(no entities database: ${res.status})`;
    };
    return { store, bytes };
  });
});
