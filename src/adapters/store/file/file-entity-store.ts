import { join } from 'node:path';
import type { Collection, EntityDoc, EntityStore, Page, Stored } from '../../../ports/entity-store.js';
import { collectionOfDocId } from '../doc-ids.js';
import { type EntityRow, EntityTable, toStored } from '../entity-table.js';
import { jsonCopy } from '../json-copy.js';
import { AppendLog } from './append-log.js';
import { documentOf, type LogLine, readLog, rewriteLog, shouldCompact, unavailable } from './log-file.js';
import { ensurePrivateDir } from './private-files.js';

export interface FileStoreOptions {
  dir: string;
  /** Superseded log lines tolerated before `open` compacts (default 1000). */
  compactMinSuperseded?: number;
}

/**
 * Entities on local disk (the embedded default): `entities.jsonl` in `dir`, replayed into memory at open.
 * Writes are serialised (check revision → append + fsync → make visible), so a write is visible only once
 * durable and two writers can never both pass the revision check. Single process only: the directory is not
 * locked, so two servers on one directory would corrupt each other's view.
 */
export class FileEntityStore implements EntityStore {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly table: EntityTable,
    private readonly log: AppendLog,
    private readonly path: string,
  ) {}

  static async open(options: FileStoreOptions): Promise<FileEntityStore> {
    const path = join(options.dir, 'entities.jsonl');
    await ensurePrivateDir(options.dir).catch((e: unknown) => {
      throw unavailable(options.dir, e);
    });
    const table = new EntityTable();
    const lines = await readLog(path, (line) => {
      const row = line._deleted ? undefined : rowOf(line);
      table.apply(line._id, row);
    });
    if (shouldCompact(lines, table.size, options.compactMinSuperseded ?? 1000)) {
      await rewriteLog(path, [...table.all()].map(lineOf));
    }
    return new FileEntityStore(table, await AppendLog.open(path), path);
  }

  async get<T extends EntityDoc>(collection: Collection, namespace: string, name: string): Promise<Stored<T> | undefined> {
    this.check();
    const row = this.table.get(collection, namespace, name);
    return row && toStored<T>(row, jsonCopy);
  }

  put<T extends EntityDoc>(collection: Collection, doc: T, rev?: string): Promise<Stored<T>> {
    return this.serially(async () => {
      const row = this.table.planPut(collection, jsonCopy(doc), rev);
      await this.log.append(`${lineOf(row)}\n`);
      this.table.apply(row.id, row);
      return toStored<T>(row, jsonCopy);
    });
  }

  delete(collection: Collection, namespace: string, name: string, rev: string): Promise<void> {
    return this.serially(async () => {
      const id = this.table.planDelete(collection, namespace, name, rev);
      await this.log.append(`${JSON.stringify({ _id: id, _rev: rev, _deleted: true })}\n`);
      this.table.apply(id, undefined);
    });
  }

  async list<T extends EntityDoc>(collection: Collection, namespace: string, page: Page): Promise<T[]> {
    this.check();
    return this.table.list(collection, namespace, page).map((row) => jsonCopy(row.doc) as T);
  }

  async count(collection: Collection, namespace: string): Promise<number> {
    this.check();
    return this.table.count(collection, namespace);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail.catch(() => {});
    await this.log.close();
  }

  private serially<R>(op: () => Promise<R>): Promise<R> {
    const run = this.tail.then(() => {
      this.check();
      return op();
    });
    this.tail = run.catch(() => {});
    return run;
  }

  private check(): void {
    if (this.closed) throw unavailable(this.path, new Error('store is closed'));
  }
}

function rowOf(line: LogLine): EntityRow {
  return {
    id: line._id,
    collection: collectionOfDocId(line._id) as Collection,
    rev: line._rev,
    doc: documentOf(line) as unknown as EntityDoc,
  };
}

function lineOf(row: EntityRow): string {
  return JSON.stringify({ _id: row.id, _rev: row.rev, ...row.doc });
}
