import { randomBytes, randomUUID } from 'node:crypto';
import { hashKey } from '../../domain/key-hash.js';
import { isValidName } from '../../domain/names.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { EntityStore } from '../../ports/entity-store.js';
import { type SubjectDoc, UUID_INDEX_NAMESPACE } from './authenticator.js';

/**
 * Key administration (`whirl admin user`, the shape of OpenWhisk's `wskadmin user`), over any EntityStore. A subject
 * has one `uuid:key` per namespace it may use; each is stored as its scrypt hash under (subjects, namespace, uuid)
 * with the `~uuid` index doc the authenticator reads. Keys are returned once, by `createSubject`, and never again.
 */
export interface SubjectEntry {
  subject: string;
  namespace: string;
  uuid: string;
}

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A 64-character key, as OpenWhisk generates them. */
function newKey(): string {
  const bytes = randomBytes(64);
  return [...bytes].map((b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join('');
}

/** Creates `subject`'s key for `namespace` (default: the subject's name); resolves with `uuid:key`. */
export async function createSubject(
  entities: EntityStore,
  request: { subject: string; namespace?: string; auth?: string },
  now = Date.now(),
): Promise<string> {
  const { subject } = request;
  const namespace = request.namespace ?? subject;
  if (!isValidName(subject)) throw new WhirlError('WHIRL_INVALID_NAME', [subject]);
  if (!isValidName(namespace)) throw new WhirlError('WHIRL_INVALID_NAME', [namespace]);
  const [uuid, key] = request.auth ? splitAuth(request.auth) : [randomUUID(), newKey()];
  if ((await entries(entities)).some((e) => e.uuid === uuid || (e.subject === subject && e.namespace === namespace))) {
    throw new WhirlError('WHIRL_CONFLICT');
  }
  const doc: SubjectDoc = { namespace, name: uuid, subject, uuid, keyHash: await hashKey(key), updated: now };
  await entities.put('subjects', doc);
  await entities.put('subjects', { namespace: UUID_INDEX_NAMESPACE, name: uuid, subjectNamespace: namespace, updated: now });
  return `${uuid}:${key}`;
}

/** The namespaces (and uuids) of `subject`, or only the one in `namespace`. */
export async function getSubject(entities: EntityStore, subject: string, namespace?: string): Promise<SubjectEntry[]> {
  return (await entries(entities)).filter((e) => e.subject === subject && (namespace === undefined || e.namespace === namespace));
}

/** The subjects that hold a key for `namespace`. */
export async function listNamespace(entities: EntityStore, namespace: string): Promise<SubjectEntry[]> {
  return (await entries(entities)).filter((e) => e.namespace === namespace);
}

/** Deletes `subject`'s keys (all, or the one for `namespace`); resolves with what was deleted (none → 404). */
export async function deleteSubject(entities: EntityStore, subject: string, namespace?: string): Promise<SubjectEntry[]> {
  const doomed = await getSubject(entities, subject, namespace);
  if (doomed.length === 0) throw new WhirlError('WHIRL_NOT_FOUND');
  for (const e of doomed) {
    const doc = await entities.get<SubjectDoc>('subjects', e.namespace, e.uuid);
    if (doc) await entities.delete('subjects', e.namespace, e.uuid, doc.rev);
    const index = await entities.get('subjects', UUID_INDEX_NAMESPACE, e.uuid);
    if (index) await entities.delete('subjects', UUID_INDEX_NAMESPACE, e.uuid, index.rev);
  }
  return doomed;
}

/** Every subject entry, found through the uuid index. */
async function entries(entities: EntityStore): Promise<SubjectEntry[]> {
  const out: SubjectEntry[] = [];
  const pageSize = 200;
  for (let skip = 0; ; skip += pageSize) {
    const page = await entities.list<{ namespace: string; name: string; updated: number; subjectNamespace: string }>(
      'subjects',
      UUID_INDEX_NAMESPACE,
      { limit: pageSize, skip },
    );
    for (const index of page) {
      const doc = await entities.get<SubjectDoc>('subjects', index.subjectNamespace, index.name);
      if (doc) out.push({ subject: doc.doc.subject, namespace: doc.doc.namespace, uuid: doc.doc.uuid });
    }
    if (page.length < pageSize) return out;
  }
}

function splitAuth(auth: string): [string, string] {
  const i = auth.indexOf(':');
  const uuid = auth.slice(0, i);
  const key = auth.slice(i + 1);
  if (i <= 0 || !/^[\w-]{1,64}$/.test(uuid) || key.length < 16) {
    throw new WhirlError('WHIRL_BAD_REQUEST', ['--auth must be UUID:KEY (a key of at least 16 characters)']);
  }
  return [uuid, key];
}
