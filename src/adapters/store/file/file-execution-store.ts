import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionDoc, ExecutionStore, ExecutionUpdate, HistoryRecord, TransitionRecord } from '../../../ports/execution-store.js';
import { MemoryExecutionStore } from '../memory/memory-execution-store.js';
import { AppendLog } from './append-log.js';
import { readLog, rewriteLog, shouldCompact, unavailable } from './log-file.js';

/**
 * Composition executions on local disk (the embedded default): `executions.jsonl` in `dir`, replayed at open into
 * the in-memory store that serves reads. Each `create`/`save` (a snapshot point) appends the whole document, each
 * history batch its entries and transitions; a write resolves once fsynced. Superseded document lines and
 * transitions a snapshot covers are compacted away at open.
 */
export class FileExecutionStore implements ExecutionStore {
  /** History sequence numbers stored per execution (appends are idempotent by seq). */
  private readonly seqs = new Map<string, Set<number>>();

  private constructor(
    private readonly mem: MemoryExecutionStore,
    private readonly log: AppendLog,
    history: ReadonlyArray<{ id: string; entry: HistoryRecord }>,
  ) {
    for (const h of history) {
      let s = this.seqs.get(h.id);
      if (!s) this.seqs.set(h.id, (s = new Set()));
      s.add(h.entry.seq);
    }
  }

  static async open(options: { dir: string }): Promise<FileExecutionStore> {
    const path = join(options.dir, 'executions.jsonl');
    await mkdir(options.dir, { recursive: true }).catch((e: unknown) => {
      throw unavailable(options.dir, e);
    });
    const docs = new Map<string, ExecutionDoc>();
    const history: Array<{ id: string; entry: HistoryRecord }> = [];
    const steps: Array<{ id: string; step: TransitionRecord }> = [];
    const lines = await readLog(path, (line) => {
      if (line.doc) docs.set(line._id, line.doc as ExecutionDoc);
      else if (line.entry) history.push({ id: String(line.exec), entry: line.entry as HistoryRecord });
      else if (line.step) steps.push({ id: String(line.exec), step: line.step as TransitionRecord });
    });
    const mem = new MemoryExecutionStore();
    for (const doc of docs.values()) await mem.create(doc);
    for (const h of history) await mem.appendHistory(h.id, [h.entry]);
    for (const t of steps) await mem.appendHistory(t.id, [], [t.step]); // keeps those after the snapshot only
    const live: string[] = [];
    for (const d of docs.values()) if (d.status === 'running') for (const t of await mem.transitions(d.id, 0)) live.push(transitionLine(d.id, t));
    if (shouldCompact(lines, docs.size + history.length + live.length, 1000)) {
      await rewriteLog(path, [
        ...[...docs.values()].map((d) => docLine(d)),
        ...history.map((h) => historyLine(h.id, h.entry)),
        ...live,
      ]);
    }
    return new FileExecutionStore(mem, await AppendLog.open(path), history);
  }

  async create(doc: ExecutionDoc): Promise<void> {
    if (await this.mem.get(doc.id)) return this.mem.create(doc); // rejects with WHIRL_CONFLICT
    await this.log.append(`${docLine(doc)}\n`);
    await this.mem.create(doc);
  }

  async save(id: string, update: ExecutionUpdate, history: readonly HistoryRecord[] = []): Promise<void> {
    const doc = await this.mem.get(id);
    if (!doc) return this.mem.save(id, update); // rejects with WHIRL_NOT_FOUND
    const fresh = this.unseen(id, history);
    await this.log.append(`${docLine({ ...doc, ...update })}\n${this.historyLines(id, fresh)}`);
    await this.mem.save(id, update, fresh);
  }

  get(id: string): Promise<ExecutionDoc | undefined> {
    return this.mem.get(id);
  }

  listActive(): Promise<ExecutionDoc[]> {
    return this.mem.listActive();
  }

  async appendHistory(id: string, entries: readonly HistoryRecord[], transitions: readonly TransitionRecord[] = []): Promise<void> {
    const fresh = this.unseen(id, entries);
    if (fresh.length === 0 && transitions.length === 0) return;
    await this.log.append(this.historyLines(id, fresh) + transitions.map((t) => `${transitionLine(id, t)}\n`).join(''));
    await this.mem.appendHistory(id, fresh, transitions);
  }

  transitions(id: string, afterN: number): Promise<TransitionRecord[]> {
    return this.mem.transitions(id, afterN);
  }

  private unseen(id: string, entries: readonly HistoryRecord[]): HistoryRecord[] {
    const known = this.seqs.get(id);
    return known ? entries.filter((e) => !known.has(e.seq)) : [...entries];
  }

  /** The log lines of entries about to be appended, marked known (a failed append fails every later one too). */
  private historyLines(id: string, fresh: readonly HistoryRecord[]): string {
    let known = this.seqs.get(id);
    if (!known) this.seqs.set(id, (known = new Set()));
    for (const e of fresh) known.add(e.seq);
    return fresh.map((e) => `${historyLine(id, e)}\n`).join('');
  }

  history(id: string, page: { afterSeq: number; limit: number }): Promise<HistoryRecord[]> {
    return this.mem.history(id, page);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

function docLine(doc: ExecutionDoc): string {
  return JSON.stringify({ _id: doc.id, _rev: '1', doc });
}

function transitionLine(id: string, step: TransitionRecord): string {
  return JSON.stringify({ _id: `${id}/t${step.n}`, _rev: '1', exec: id, step });
}

function historyLine(id: string, entry: HistoryRecord): string {
  return JSON.stringify({ _id: `${id}/${entry.seq}`, _rev: '1', exec: id, entry });
}
