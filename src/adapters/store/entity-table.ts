import type { Collection, EntityDoc, Page, Stored } from '../../ports/entity-store.js';
import { WhirlError } from '../../errors/whirl-error.js';
import { entityDocId } from './doc-ids.js';
import { nextRevision } from './revision.js';

/** One entity as kept in memory: its document id, revision and document. */
export interface EntityRow {
  id: string;
  collection: Collection;
  rev: string;
  doc: EntityDoc;
}

/**
 * The in-memory state of an entity store and the port's optimistic-concurrency rules, shared by the memory and
 * file adapters. Writes are two-step (`planPut`/`planDelete` check the contract and compute the new row; `apply`
 * makes it visible) so the file adapter can make a change durable between the two. Rows are never handed out:
 * callers copy documents they return.
 */
export class EntityTable {
  private readonly rows = new Map<string, EntityRow>();
  /** `collection/namespace` → name → row, so listing one namespace does not scan the others. */
  private readonly byNamespace = new Map<string, Map<string, EntityRow>>();

  get(collection: Collection, namespace: string, name: string): EntityRow | undefined {
    return this.rows.get(entityDocId(collection, namespace, name));
  }

  /** The row a `put` would store; throws the port's errors when the revision does not allow it. */
  planPut(collection: Collection, doc: EntityDoc, rev?: string): EntityRow {
    const id = entityDocId(collection, doc.namespace, doc.name);
    const current = this.rows.get(id);
    if (rev === undefined) {
      if (current) throw new WhirlError('WHIRL_CONFLICT');
    } else {
      if (!current) throw new WhirlError('WHIRL_NOT_FOUND');
      if (current.rev !== rev) throw new WhirlError('WHIRL_CONCURRENT_MODIFICATION');
    }
    return { id, collection, rev: nextRevision(current?.rev), doc };
  }

  /** The id a `delete` would remove; throws the port's errors when it may not. */
  planDelete(collection: Collection, namespace: string, name: string, rev: string): string {
    const id = entityDocId(collection, namespace, name);
    const current = this.rows.get(id);
    if (!current) throw new WhirlError('WHIRL_NOT_FOUND');
    if (current.rev !== rev) throw new WhirlError('WHIRL_CONCURRENT_MODIFICATION');
    return id;
  }

  /** Stores `row`, or removes the document `id` when `row` is undefined. */
  apply(id: string, row: EntityRow | undefined): void {
    const previous = this.rows.get(id);
    if (previous) this.namespaceOf(previous).delete(previous.doc.name);
    if (row) {
      this.rows.set(id, row);
      this.namespaceOf(row).set(row.doc.name, row);
    } else {
      this.rows.delete(id);
    }
  }

  /** Most recently `updated` first, then by name (code-point order). */
  list(collection: Collection, namespace: string, page: Page): EntityRow[] {
    const rows = [...(this.byNamespace.get(`${collection}/${namespace}`)?.values() ?? [])];
    rows.sort((a, b) => b.doc.updated - a.doc.updated || compare(a.doc.name, b.doc.name));
    return rows.slice(page.skip, page.skip + page.limit);
  }

  count(collection: Collection, namespace: string): number {
    return this.byNamespace.get(`${collection}/${namespace}`)?.size ?? 0;
  }

  get size(): number {
    return this.rows.size;
  }

  all(): IterableIterator<EntityRow> {
    return this.rows.values();
  }

  private namespaceOf(row: EntityRow): Map<string, EntityRow> {
    const key = `${row.collection}/${row.doc.namespace}`;
    let names = this.byNamespace.get(key);
    if (!names) {
      names = new Map();
      this.byNamespace.set(key, names);
    }
    return names;
  }
}

export function toStored<T>(row: EntityRow, copy: (doc: EntityDoc) => EntityDoc): Stored<T> {
  return { doc: copy(row.doc) as T, rev: row.rev };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
