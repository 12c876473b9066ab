import { createHash, randomBytes } from 'node:crypto';
import type { Identity, StoredSubject } from '../../domain/identity.js';
import { hashKey, verifyKey } from '../../domain/key-hash.js';
import { isWhirlError, WhirlError } from '../../errors/whirl-error.js';
import type { Clock } from '../../ports/clock.js';
import type { EntityDoc, EntityStore } from '../../ports/entity-store.js';
import { FailureLimiter } from './failure-limiter.js';

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
 *
 * Hostile callers (docs/isolation.md, "Keys"):
 * - an unknown uuid costs the same scrypt as a wrong key for a known one (it is checked against a dummy hash), so
 *   timing does not tell which uuids exist;
 * - failed attempts are counted per client address and per subject uuid; past `failuresPerMinute` in a minute a
 *   caller is answered 429 `WHIRL_THROTTLED_AUTH` before any scrypt work, so a flood of wrong keys costs almost
 *   nothing after the first few;
 * - credentials verified before are remembered for `knownGoodMs` (the SHA-256 of the presented string with the
 *   subject's key hash at the time): once the short cache expires they are confirmed by reading the subject and
 *   finding the same hash — no scrypt, and never refused by the limits — so a real client stays fast during a
 *   flood against its uuid, and a rotated or deleted key stops working at the next read. A client never seen before
 *   shares its uuid's and address's allowance until the minute is over.
 */
export const UUID_INDEX_NAMESPACE = '~uuid';

export type SubjectDoc = StoredSubject & EntityDoc;
interface UuidIndexDoc extends EntityDoc {
  subjectNamespace: string;
}

export interface AuthenticatorOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** Failed attempts per minute per client address and per subject uuid before 429 (default 30). */
  failuresPerMinute?: number;
  /** How long verified credentials stay exempt from the failure limits (default 24 h). */
  knownGoodMs?: number;
}

export class Authenticator {
  private readonly cache = new Map<string, { identity: Identity; expires: number }>();
  private readonly pending = new Map<string, Promise<{ identity: Identity; keyHash: string } | undefined>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly knownGood = new Map<string, { keyHash: string; expires: number }>();
  private readonly knownGoodMs: number;
  private readonly failures: FailureLimiter;
  /** Verified against when the uuid is unknown, so both cases cost one scrypt. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly entities: EntityStore,
    private readonly clock: Clock,
    options: AuthenticatorOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.knownGoodMs = options.knownGoodMs ?? 24 * 3_600_000;
    this.failures = new FailureLimiter(clock, options.failuresPerMinute ?? 30);
    this.dummyHash = hashKey(randomBytes(32).toString('hex'));
    this.dummyHash.catch(() => undefined);
  }

  /**
   * Throws WHIRL_UNAUTHENTICATED for a missing, malformed or wrong credential, WHIRL_THROTTLED_AUTH when `client`
   * (the caller's address) or the uuid has failed too often this minute.
   */
  async authenticate(authorization: string | undefined, client = 'unknown'): Promise<Identity> {
    const credentials = parseBasic(authorization);
    if (!credentials) throw new WhirlError('WHIRL_UNAUTHENTICATED');
    const cacheKey = createHash('sha256').update(credentials.raw).digest('hex');
    const hit = this.cache.get(cacheKey);
    const now = this.clock.now();
    if (hit && hit.expires > now) return hit.identity;

    // Verified before: the key is still good if its subject still holds the same hash (a store read, no scrypt).
    const known = this.knownGood.get(cacheKey);
    if (known && known.expires > now) {
      const subject = await this.lookup(credentials.uuid);
      if (subject?.doc.keyHash === known.keyHash) return this.remember(cacheKey, known.keyHash, identityOf(subject.doc));
      this.knownGood.delete(cacheKey);
    }

    const limits = [`a:${client}`, `s:${credentials.uuid}`];
    for (const key of limits) {
      const count = this.failures.over(key);
      if (count !== undefined) throw new WhirlError('WHIRL_THROTTLED_AUTH', [count, this.failures.allowed]);
    }
    // Counted before verifying, so concurrent attempts share the allowance instead of all reaching scrypt.
    for (const key of limits) this.failures.fail(key);

    let verifying = this.pending.get(cacheKey);
    if (!verifying) {
      verifying = this.verify(credentials.uuid, credentials.key).finally(() => this.pending.delete(cacheKey));
      this.pending.set(cacheKey, verifying);
    }
    const verified = await verifying;
    if (!verified) throw new WhirlError('WHIRL_UNAUTHENTICATED');
    for (const key of limits) this.failures.forgive(key);
    return this.remember(cacheKey, verified.keyHash, verified.identity);
  }

  private remember(cacheKey: string, keyHash: string, identity: Identity): Identity {
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    if (this.knownGood.size >= this.maxEntries) this.knownGood.clear();
    const now = this.clock.now();
    this.cache.set(cacheKey, { identity, expires: now + this.ttlMs });
    this.knownGood.set(cacheKey, { keyHash, expires: now + this.knownGoodMs });
    return identity;
  }

  private async lookup(uuid: string): Promise<{ doc: SubjectDoc } | undefined> {
    const index = await this.entities.get<UuidIndexDoc>('subjects', UUID_INDEX_NAMESPACE, uuid);
    return index ? this.entities.get<SubjectDoc>('subjects', index.doc.subjectNamespace, uuid) : undefined;
  }

  private async verify(uuid: string, key: string): Promise<{ identity: Identity; keyHash: string } | undefined> {
    const subject = await this.lookup(uuid);
    const verified = await verifyKey(key, subject ? subject.doc.keyHash : await this.dummyHash);
    if (!subject || !verified) return undefined;
    return { identity: identityOf(subject.doc), keyHash: subject.doc.keyHash };
  }
}

function identityOf(doc: SubjectDoc): Identity {
  return { namespace: doc.namespace, subject: doc.subject, uuid: doc.uuid };
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
