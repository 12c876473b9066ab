import { createHash } from 'node:crypto';
import type { Identity, StoredSubject } from '../../domain/identity.js';
import { hashKey, verifyKey } from '../../domain/key-hash.js';
import { isWhirlError, WhirlError } from '../../errors/whirl-error.js';
import type { Clock } from '../../ports/clock.js';
import type { EntityDoc, EntityStore } from '../../ports/entity-store.js';

/**
 * Resolves `Authorization: Basic base64(uuid:key)` to an Identity.
 *
 * Storage: a subject is the doc (subjects, <its namespace>, <uuid>) holding the scrypt hash of its key. Requests
 * name only the uuid, so a second tiny doc (subjects, `~uuid`, <uuid>) points from the uuid to the namespace.
 * `~` cannot start an entity name, so the index namespace never collides with a real one.
 *
 * Hot path: a verified `uuid:key` is cached for `ttlMs` under the SHA-256 of the presented string (never the key
 * itself), so steady traffic does no scrypt and no store read. A revoked or rotated key keeps working for at most
 * `ttlMs` in each API process. Concurrent misses for the same credentials share one verification.
 */
export const UUID_INDEX_NAMESPACE = '~uuid';

export type SubjectDoc = StoredSubject & EntityDoc;
interface UuidIndexDoc extends EntityDoc {
  subjectNamespace: string;
}

export interface AuthenticatorOptions {
  ttlMs?: number;
  maxEntries?: number;
}

export class Authenticator {
  private readonly cache = new Map<string, { identity: Identity; expires: number }>();
  private readonly pending = new Map<string, Promise<Identity | undefined>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly entities: EntityStore,
    private readonly clock: Clock,
    options: AuthenticatorOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** Throws WHIRL_UNAUTHENTICATED for a missing, malformed or wrong credential. */
  async authenticate(authorization: string | undefined): Promise<Identity> {
    const credentials = parseBasic(authorization);
    if (!credentials) throw new WhirlError('WHIRL_UNAUTHENTICATED');
    const cacheKey = createHash('sha256').update(credentials.raw).digest('hex');
    const hit = this.cache.get(cacheKey);
    const now = this.clock.now();
    if (hit && hit.expires > now) return hit.identity;

    let verifying = this.pending.get(cacheKey);
    if (!verifying) {
      verifying = this.verify(credentials.uuid, credentials.key).finally(() => this.pending.delete(cacheKey));
      this.pending.set(cacheKey, verifying);
    }
    const identity = await verifying;
    if (!identity) throw new WhirlError('WHIRL_UNAUTHENTICATED');
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(cacheKey, { identity, expires: this.clock.now() + this.ttlMs });
    return identity;
  }

  private async verify(uuid: string, key: string): Promise<Identity | undefined> {
    const index = await this.entities.get<UuidIndexDoc>('subjects', UUID_INDEX_NAMESPACE, uuid);
    if (!index) return undefined;
    const subject = await this.entities.get<SubjectDoc>('subjects', index.doc.subjectNamespace, uuid);
    if (!subject || !(await verifyKey(key, subject.doc.keyHash))) return undefined;
    return { namespace: subject.doc.namespace, subject: subject.doc.subject, uuid };
  }
}

function parseBasic(header: string | undefined): { uuid: string; key: string; raw: string } | undefined {
  if (!header || header.length < 7 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const raw = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = raw.indexOf(':');
  if (i <= 0 || i === raw.length - 1) return undefined;
  return { uuid: raw.slice(0, i), key: raw.slice(i + 1), raw };
}

/**
 * Makes sure `uuid:key` authenticates as `namespace` (used at startup to seed the guest). Idempotent, and safe when
 * several processes seed at once: a lost create race means another process wrote the same subject.
 */
export async function ensureSubject(
  entities: EntityStore,
  seed: { namespace: string; uuid: string; key: string },
  now: number = Date.now(),
): Promise<void> {
  const { namespace, uuid, key } = seed;
  await tolerateRace(async () => {
    const existing = await entities.get<SubjectDoc>('subjects', namespace, uuid);
    if (existing && (await verifyKey(key, existing.doc.keyHash))) return;
    const doc: SubjectDoc = { namespace, name: uuid, subject: namespace, uuid, keyHash: await hashKey(key), updated: now };
    await entities.put('subjects', doc, existing?.rev);
  });
  await tolerateRace(async () => {
    const index = await entities.get<UuidIndexDoc>('subjects', UUID_INDEX_NAMESPACE, uuid);
    if (index?.doc.subjectNamespace === namespace) return;
    const doc: UuidIndexDoc = { namespace: UUID_INDEX_NAMESPACE, name: uuid, subjectNamespace: namespace, updated: now };
    await entities.put('subjects', doc, index?.rev);
  });
}

async function tolerateRace(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (isWhirlError(e, 'WHIRL_CONFLICT') || isWhirlError(e, 'WHIRL_CONCURRENT_MODIFICATION')) return;
    throw e;
  }
}
