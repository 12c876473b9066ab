import { nextVersion } from '../../domain/action.js';
import { isWhirlError } from '../../errors/whirl-error.js';
import type { Collection, EntityDoc, EntityStore } from '../../ports/entity-store.js';
import type { SystemCatalog } from './system-catalog.js';

/**
 * Writes the system catalog into the entity store at start (every API process, every store). Idempotent: a document
 * that already holds the catalog's content is left alone (same revision, same `updated`); one that differs (a new
 * Whirl release changed an action) is overwritten with its version bumped. Concurrent seeders are safe: losing a
 * write race means another process wrote the same content. Documents not in the catalog are never removed.
 */
export async function seedSystemCatalog(entities: EntityStore, catalog: SystemCatalog, now: number): Promise<number> {
  let written = 0;
  const seed = async <T extends EntityDoc & { version: string }>(collection: Collection, doc: T) => {
    try {
      const existing = await entities.get<T>(collection, doc.namespace, doc.name);
      if (existing && sameContent(existing.doc, doc)) return;
      const version = existing ? nextVersion(existing.doc.version) : doc.version;
      await entities.put(collection, { ...doc, version, updated: now }, existing?.rev);
      written += 1;
    } catch (e) {
      if (!isWhirlError(e, 'WHIRL_CONFLICT') && !isWhirlError(e, 'WHIRL_CONCURRENT_MODIFICATION')) throw e;
    }
  };
  // Packages first: an action is visible only through its package.
  for (const p of catalog.packages) await seed('packages', p);
  for (const a of catalog.actions) await seed('actions', a);
  return written;
}

function sameContent(stored: EntityDoc & { version: string }, wanted: EntityDoc & { version: string }): boolean {
  const strip = ({ updated: _u, version: _v, ...rest }: EntityDoc & { version: string }) => rest;
  return stableJson(strip(stored)) === stableJson(strip(wanted));
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
