import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ActivationRecord } from '../../../domain/activation.js';
import type { ActivationQuery, ActivationStore } from '../../../ports/activation-store.js';
import { ActivationIndex } from '../activation-index.js';
import { activationDocId } from '../doc-ids.js';
import { jsonCopy } from '../json-copy.js';
import { AppendLog } from './append-log.js';
import type { FileStoreOptions } from './file-entity-store.js';
import { documentOf, readLog, rewriteLog, shouldCompact, unavailable } from './log-file.js';
import { ensurePrivateDir } from './private-files.js';

/**
 * Activation records on local disk (the embedded default): `activations.jsonl` in `dir`, replayed into an
 * in-memory index at open. A batch is one append and one fsync; its records become visible once durable.
 * Records are written once, so superseded lines are only duplicates from batches that raced on the same id.
 */
export class FileActivationStore implements ActivationStore {
  private closed = false;

  private constructor(
    private readonly index: ActivationIndex,
    private readonly log: AppendLog,
    private readonly path: string,
  ) {}

  static async open(options: FileStoreOptions): Promise<FileActivationStore> {
    const path = join(options.dir, 'activations.jsonl');
    await ensurePrivateDir(options.dir).catch((e: unknown) => {
      throw unavailable(options.dir, e);
    });
    const index = new ActivationIndex();
    const lines = await readLog(path, (line) => {
      if (!line._deleted) index.add(documentOf(line) as unknown as ActivationRecord);
    });
    if (shouldCompact(lines, index.size, options.compactMinSuperseded ?? 1000)) {
      await rewriteLog(path, [...index.all()].map((r) => lineOf(r).text));
    }
    return new FileActivationStore(index, await AppendLog.open(path), path);
  }

  async putBatch(records: readonly ActivationRecord[]): Promise<void> {
    this.check();
    const fresh = new Map<string, ActivationRecord>();
    let text = '';
    for (const r of records) {
      const id = activationDocId(r.namespace, r.activationId);
      if (fresh.has(id) || this.index.has(r.namespace, r.activationId)) continue;
      const line = lineOf(r);
      fresh.set(id, line.copy);
      text += `${line.text}\n`;
    }
    if (fresh.size === 0) return;
    await this.log.append(text);
    for (const r of fresh.values()) this.index.add(r);
  }

  async get(namespace: string, activationId: string): Promise<ActivationRecord | undefined> {
    this.check();
    const r = this.index.get(namespace, activationId);
    return r && jsonCopy(r);
  }

  async list(namespace: string, query: ActivationQuery): Promise<ActivationRecord[]> {
    this.check();
    return this.index.list(namespace, query).map(jsonCopy);
  }

  async count(namespace: string, query: Omit<ActivationQuery, 'limit' | 'skip'>): Promise<number> {
    this.check();
    return this.index.count(namespace, query);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.log.close();
  }

  private check(): void {
    if (this.closed) throw unavailable(this.path, new Error('store is closed'));
  }
}

/** The record's log line, and the private copy the index keeps (parsed back, so callers cannot alias it). */
function lineOf(r: ActivationRecord): { text: string; copy: ActivationRecord } {
  const text = JSON.stringify({ _id: activationDocId(r.namespace, r.activationId), _rev: `1-${revHex()}`, ...r });
  return { text, copy: documentOf(JSON.parse(text)) as unknown as ActivationRecord };
}

function revHex(): string {
  return randomUUID().replaceAll('-', '');
}
