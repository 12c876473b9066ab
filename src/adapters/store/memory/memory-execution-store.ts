import { WhirlError } from '../../../errors/whirl-error.js';
import type {
  ExecutionDoc,
  ExecutionQuery,
  ExecutionStore,
  ExecutionSummary,
  ExecutionUpdate,
  HistoryRecord,
  TransitionRecord,
} from '../../../ports/execution-store.js';

/** In-process execution store (tests, `WHIRL_STORE=memory`). Documents are copied in and out, like a real store. */
export class MemoryExecutionStore implements ExecutionStore {
  private readonly docs = new Map<string, ExecutionDoc>();
  private readonly logs = new Map<string, Map<number, HistoryRecord>>();
  /** Transitions after each running execution's snapshot (older ones are dropped when a snapshot covers them). */
  private readonly steps = new Map<string, Map<number, TransitionRecord>>();

  async create(doc: ExecutionDoc): Promise<void> {
    if (this.docs.has(doc.id)) throw new WhirlError('WHIRL_CONFLICT');
    this.docs.set(doc.id, structuredClone(doc));
  }

  async save(id: string, update: ExecutionUpdate, history: readonly HistoryRecord[] = []): Promise<void> {
    const doc = this.docs.get(id);
    if (!doc) throw new WhirlError('WHIRL_NOT_FOUND');
    this.docs.set(id, { ...doc, ...structuredClone(update) });
    this.append(id, history);
    const steps = this.steps.get(id);
    if (update.status !== 'running') this.steps.delete(id);
    else if (steps) for (const n of steps.keys()) if (n <= (update.snapshotAt ?? 0)) steps.delete(n);
  }

  async get(id: string): Promise<ExecutionDoc | undefined> {
    const doc = this.docs.get(id);
    return doc && structuredClone(doc);
  }

  async listActive(): Promise<ExecutionDoc[]> {
    return [...this.docs.values()].filter((d) => d.status === 'running').map((d) => structuredClone(d));
  }

  async list(q: ExecutionQuery): Promise<ExecutionSummary[]> {
    return [...this.docs.values()]
      .filter((d) => d.namespace === q.namespace && d.kind === q.kind && d.name === q.name && (q.status === undefined || d.status === q.status))
      .sort((a, b) => b.start - a.start || (a.id < b.id ? 1 : -1))
      .slice(q.skip, q.skip + q.limit)
      .map(summaryOf);
  }

  async appendHistory(id: string, entries: readonly HistoryRecord[], transitions: readonly TransitionRecord[] = []): Promise<void> {
    this.append(id, entries);
    if (transitions.length === 0) return;
    let steps = this.steps.get(id);
    if (!steps) this.steps.set(id, (steps = new Map()));
    const covered = this.docs.get(id)?.snapshotAt ?? 0;
    for (const t of transitions) if (t.n > covered && !steps.has(t.n)) steps.set(t.n, structuredClone(t));
  }

  async transitions(id: string, afterN: number): Promise<TransitionRecord[]> {
    const steps = this.steps.get(id);
    if (!steps) return [];
    return [...steps.values()].filter((t) => t.n > afterN).sort((a, b) => a.n - b.n).map((t) => structuredClone(t));
  }

  private append(id: string, entries: readonly HistoryRecord[]): void {
    let log = this.logs.get(id);
    if (!log) this.logs.set(id, (log = new Map()));
    for (const e of entries) if (!log.has(e.seq)) log.set(e.seq, structuredClone(e));
  }

  async history(id: string, page: { afterSeq: number; limit: number }): Promise<HistoryRecord[]> {
    const log = this.logs.get(id);
    if (!log) return [];
    return [...log.values()]
      .filter((e) => e.seq > page.afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, page.limit)
      .map((e) => structuredClone(e));
  }

  async close(): Promise<void> {}
}

export function summaryOf(d: ExecutionDoc): ExecutionSummary {
  return { id: d.id, name: d.name, version: d.version, status: d.status, start: d.start, ...(d.end !== undefined ? { end: d.end } : {}) };
}
