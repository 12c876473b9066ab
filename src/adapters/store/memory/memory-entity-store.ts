import type { Collection, EntityDoc, EntityStore, Page, Stored } from '../../../ports/entity-store.js';
import { EntityTable, toStored } from '../entity-table.js';
import { jsonCopy } from '../json-copy.js';

/** Entities in process memory: for unit tests and throwaway servers. Documents are copied in and out. */
export class MemoryEntityStore implements EntityStore {
  private readonly table = new EntityTable();

  async get<T extends EntityDoc>(collection: Collection, namespace: string, name: string): Promise<Stored<T> | undefined> {
    const row = this.table.get(collection, namespace, name);
    return row && toStored<T>(row, jsonCopy);
  }

  async put<T extends EntityDoc>(collection: Collection, doc: T, rev?: string): Promise<Stored<T>> {
    const row = this.table.planPut(collection, jsonCopy(doc), rev);
    this.table.apply(row.id, row);
    return toStored<T>(row, jsonCopy);
  }

  async delete(collection: Collection, namespace: string, name: string, rev: string): Promise<void> {
    this.table.apply(this.table.planDelete(collection, namespace, name, rev), undefined);
  }

  async list<T extends EntityDoc>(collection: Collection, namespace: string, page: Page): Promise<T[]> {
    return this.table.list(collection, namespace, page).map((row) => jsonCopy(row.doc) as T);
  }

  async count(collection: Collection, namespace: string): Promise<number> {
    return this.table.count(collection, namespace);
  }

  async close(): Promise<void> {}
}
