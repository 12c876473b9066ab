import { WhirlError } from '../../../errors/whirl-error.js';
import type { ExecutionDoc, ExecutionStore, ExecutionUpdate, HistoryRecord } from '../../../ports/execution-store.js';

/** In-process execution store (tests, `WHIRL_STORE=memory`). Documents are copied in and out, like a real store. */
export class MemoryExecutionStore implements ExecutionStore {
  private readonly docs = new Map<string, ExecutionDoc>();
  private readonly logs = new Map<string, Map<number, HistoryRecord>>();

  async create(doc: ExecutionDoc): Promise<void> {
    if (this.docs.has(doc.id)) throw new WhirlError('WHIRL_CONFLICT');
    this.docs.set(doc.id, structuredClone(doc));
  }

  async save(id: string, update: ExecutionUpdate, history: readonly HistoryRecord[] = []): Promise<void> {
    const doc = this.docs.get(id);
    if (!doc) throw new WhirlError('WHIRL_NOT_FOUND');
    this.docs.set(id, { ...doc, ...structuredClone(update) });
    this.append(id, history);
  }

  async get(id: string): Promise<ExecutionDoc | undefined> {
    const doc = this.docs.get(id);
    return doc && structuredClone(doc);
  }

  async listActive(): Promise<ExecutionDoc[]> {
    return [...this.docs.values()].filter((d) => d.status === 'running').map((d) => structuredClone(d));
  }

  async appendHistory(id: string, entries: readonly HistoryRecord[]): Promise<void> {
    this.append(id, entries);
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
