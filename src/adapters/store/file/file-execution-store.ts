import { join } from 'node:path';
import type {
  ExecutionDoc,
  ExecutionQuery,
  ExecutionStore,
  ExecutionSummary,
  ExecutionUpdate,
  HistoryRecord,
  TransitionRecord,
} from '../../../ports/execution-store.js';
import { MemoryExecutionStore } from '../memory/memory-execution-store.js';
import { AppendLog } from './append-log.js';
import { readLog, rewriteLog, shouldCompact, unavailable } from './log-file.js';
import { ensurePrivateDir } from './private-files.js';

/**
 * Composition executions on local disk (the embedded default). `executions.jsonl` in `dir` holds the documents
 * (one line per `create`/`save`, a snapshot point) and the transitions logged since each running execution's
 * snapshot; it is replayed at open into the in-memory store that serves reads, and superseded lines are compacted
 * away. Each execution's history goes to its own `execution-history/<id>.jsonl`, read only when asked for — so
 * opening costs the executions and their recent transitions, not the length of their histories. A write resolves
 * once fsynced; a write touching both files stores the history first (entries are deterministic: a crash between
 * the two leaves entries a replay writes again, kept once).
 */
export class FileExecutionStore implements ExecutionStore {
  /** History seqs stored, per running execution touched since open (read from its file on first touch). */
  private readonly seqs = new Map<string, Set<number>>();
  private readonly historyLogs = new Map<string, Promise<AppendLog>>();
  /** History appends per execution, one at a time. */
  private readonly historyTail = new Map<string, Promise<void>>();

  private constructor(
    private readonly mem: MemoryExecutionStore,
    private readonly log: AppendLog,
    private readonly historyDir: string,
  ) {}

  static async open(options: { dir: string }): Promise<FileExecutionStore> {
    const path = join(options.dir, 'executions.jsonl');
    const historyDir = join(options.dir, 'execution-history');
    await ensurePrivateDir(options.dir)
      .then(() => ensurePrivateDir(historyDir))
      .catch((e: unknown) => {
        throw unavailable(options.dir, e);
      });
    const docs = new Map<string, ExecutionDoc>();
    const legacy = new Map<string, HistoryRecord[]>();
    const steps: Array<{ id: string; step: TransitionRecord }> = [];
    const lines = await readLog(path, (line) => {
      if (line.doc) docs.set(line._id, line.doc as ExecutionDoc);
      else if (line.step) steps.push({ id: String(line.exec), step: line.step as TransitionRecord });
      else if (line.entry) {
        // History kept in the main log by an older layout: moved to its execution's file below.
        const id = String(line.exec);
        legacy.set(id, [...(legacy.get(id) ?? []), line.entry as HistoryRecord]);
      }
    });
    const mem = new MemoryExecutionStore();
    for (const doc of docs.values()) await mem.create(doc);
    for (const t of steps) await mem.appendHistory(t.id, [], [t.step]); // keeps those after the snapshot only
    const live: string[] = [];
    for (const d of docs.values()) if (d.status === 'running') for (const t of await mem.transitions(d.id, 0)) live.push(transitionLine(d.id, t));
    const store = new FileExecutionStore(mem, await AppendLog.open(path), historyDir);
    for (const [id, entries] of legacy) await store.appendHistory(id, entries);
    if (legacy.size > 0 || shouldCompact(lines, docs.size + live.length, 1000)) {
      await store.log.close();
      await rewriteLog(path, [...[...docs.values()].map((d) => docLine(d)), ...live]);
      return new FileExecutionStore(mem, await AppendLog.open(path), historyDir);
    }
    return store;
  }

  async create(doc: ExecutionDoc): Promise<void> {
    if (await this.mem.get(doc.id)) return this.mem.create(doc); // rejects with WHIRL_CONFLICT
    await this.log.append(`${docLine(doc)}\n`);
    await this.mem.create(doc);
  }

  async save(id: string, update: ExecutionUpdate, history: readonly HistoryRecord[] = []): Promise<void> {
    const doc = await this.mem.get(id);
    if (!doc) return this.mem.save(id, update); // rejects with WHIRL_NOT_FOUND
    await this.appendEntries(id, history);
    await this.log.append(`${docLine({ ...doc, ...update })}\n`);
    await this.mem.save(id, update);
    if (update.status !== 'running') await this.closeHistory(id);
  }

  get(id: string): Promise<ExecutionDoc | undefined> {
    return this.mem.get(id);
  }

  listActive(): Promise<ExecutionDoc[]> {
    return this.mem.listActive();
  }

  list(q: ExecutionQuery): Promise<ExecutionSummary[]> {
    return this.mem.list(q);
  }

  async appendHistory(id: string, entries: readonly HistoryRecord[], transitions: readonly TransitionRecord[] = []): Promise<void> {
    await this.appendEntries(id, entries);
    if (transitions.length === 0) return;
    await this.log.append(transitions.map((t) => `${transitionLine(id, t)}\n`).join(''));
    await this.mem.appendHistory(id, [], transitions);
  }

  transitions(id: string, afterN: number): Promise<TransitionRecord[]> {
    return this.mem.transitions(id, afterN);
  }

  async history(id: string, page: { afterSeq: number; limit: number }): Promise<HistoryRecord[]> {
    await this.historyTail.get(id);
    const byseq = new Map<number, HistoryRecord>();
    await readLog(this.historyPath(id), (line) => {
      const e = line.entry as HistoryRecord | undefined;
      if (e && e.seq > page.afterSeq && !byseq.has(e.seq)) byseq.set(e.seq, e);
    });
    return [...byseq.values()].sort((a, b) => a.seq - b.seq).slice(0, page.limit);
  }

  async close(): Promise<void> {
    for (const id of [...this.historyLogs.keys()]) await this.closeHistory(id);
    await this.log.close();
  }

  /** Appends the entries not stored yet to the execution's history file (in seq order, one append at a time). */
  private appendEntries(id: string, entries: readonly HistoryRecord[]): Promise<void> {
    if (entries.length === 0) return this.historyTail.get(id) ?? Promise.resolve();
    const next = (this.historyTail.get(id) ?? Promise.resolve()).catch(() => {}).then(async () => {
      let known = this.seqs.get(id);
      if (!known) {
        const stored = new Set<number>();
        await readLog(this.historyPath(id), (line) => {
          const e = line.entry as HistoryRecord | undefined;
          if (e) stored.add(e.seq);
        });
        this.seqs.set(id, (known = stored));
      }
      const fresh = entries.filter((e) => !known.has(e.seq));
      if (fresh.length === 0) return;
      const log = await this.historyLog(id);
      await log.append(fresh.map((e) => `${historyLine(id, e)}\n`).join(''));
      for (const e of fresh) known.add(e.seq);
    });
    this.historyTail.set(id, next);
    return next;
  }

  private historyPath(id: string): string {
    return join(this.historyDir, `${encodeURIComponent(id)}.jsonl`);
  }

  private historyLog(id: string): Promise<AppendLog> {
    let log = this.historyLogs.get(id);
    if (!log) this.historyLogs.set(id, (log = AppendLog.open(this.historyPath(id))));
    return log;
  }

  /** A finished execution's history file is closed (reads open it again). */
  private async closeHistory(id: string): Promise<void> {
    await this.historyTail.get(id)?.catch(() => {});
    const log = this.historyLogs.get(id);
    this.historyLogs.delete(id);
    this.historyTail.delete(id);
    this.seqs.delete(id);
    await (await log?.catch(() => undefined))?.close();
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
