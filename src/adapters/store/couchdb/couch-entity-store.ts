import type { Collection, EntityDoc, EntityStore, Page, Stored } from '../../../ports/entity-store.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import { entityDocId } from '../doc-ids.js';
import { jsonCopy } from '../json-copy.js';
import { type CouchOptions, type Database, DESIGN, openDatabase, statusOf, storeUnavailable, withoutMeta } from './couch-database.js';
import { ENTITY_VIEWS } from './design-docs.js';

/**
 * Entities in CouchDB (`${prefix}entities`), one document per entity with `_id` `collection/namespace/name`.
 * CouchDB's own MVCC does the optimistic concurrency: our `rev` is CouchDB's `_rev`.
 */
export class CouchEntityStore implements EntityStore {
  private constructor(private readonly db: Database) {}

  static async open(options: CouchOptions): Promise<CouchEntityStore> {
    return new CouchEntityStore(await openDatabase(options, `${options.prefix}entities`, ENTITY_VIEWS));
  }

  async get<T extends EntityDoc>(collection: Collection, namespace: string, name: string): Promise<Stored<T> | undefined> {
    const doc = await this.fetch(entityDocId(collection, namespace, name));
    return doc && { doc: withoutMeta<T>(doc), rev: String(doc._rev) };
  }

  async put<T extends EntityDoc>(collection: Collection, doc: T, rev?: string): Promise<Stored<T>> {
    const id = entityDocId(collection, doc.namespace, doc.name);
    const copy = jsonCopy(doc);
    try {
      const body: Record<string, unknown> = { ...(copy as EntityDoc), _id: id };
      if (rev !== undefined) body._rev = rev;
      const res = await this.db.insert(body);
      return { doc: copy, rev: res.rev };
    } catch (e) {
      if (rev === undefined) throw statusOf(e) === 409 ? new WhirlError('WHIRL_CONFLICT') : storeUnavailable(e);
      throw await this.revisionRejected(id, e);
    }
  }

  async delete(collection: Collection, namespace: string, name: string, rev: string): Promise<void> {
    const id = entityDocId(collection, namespace, name);
    try {
      await this.db.destroy(id, rev);
    } catch (e) {
      throw await this.revisionRejected(id, e);
    }
  }

  async list<T extends EntityDoc>(collection: Collection, namespace: string, page: Page): Promise<T[]> {
    try {
      const res = await this.db.view(DESIGN, 'by_namespace', {
        ...range(collection, namespace),
        reduce: false,
        include_docs: true,
        skip: page.skip,
        limit: page.limit,
      });
      return res.rows.flatMap((row) => (row.doc ? [withoutMeta<T>(row.doc)] : []));
    } catch (e) {
      throw storeUnavailable(e);
    }
  }

  async count(collection: Collection, namespace: string): Promise<number> {
    try {
      const res = await this.db.view<number>(DESIGN, 'by_namespace', { ...range(collection, namespace), reduce: true });
      return res.rows[0]?.value ?? 0;
    } catch (e) {
      throw storeUnavailable(e);
    }
  }

  async close(): Promise<void> {}

  private async fetch(id: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.db.get(id);
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw storeUnavailable(e);
    }
  }

  /**
   * CouchDB answers a write with a wrong or unknown `_rev` with 409 (or 400 for a malformed rev, 404 for a
   * missing doc on delete); whether the entity still exists decides between the port's two errors.
   */
  private async revisionRejected(id: string, e: unknown): Promise<WhirlError> {
    const status = statusOf(e);
    if (status !== 409 && status !== 400 && status !== 404) return storeUnavailable(e);
    const current = await this.fetch(id);
    return new WhirlError(current ? 'WHIRL_CONCURRENT_MODIFICATION' : 'WHIRL_NOT_FOUND');
  }
}

function range(collection: Collection, namespace: string): { startkey: unknown[]; endkey: unknown[] } {
  return { startkey: [collection, namespace], endkey: [collection, namespace, {}] };
}
