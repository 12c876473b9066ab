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
import { type CouchOptions, type Database, DESIGN, openDatabase, statusOf, storeUnavailable, withoutMeta } from './couch-database.js';

const VIEWS = {
  active: { map: "function (doc) { if (doc.type === 'execution' && doc.status === 'running') emit(doc._id, null); }" },
  /** Listing: every execution under its status and under '*', by start time. */
  byName: {
    map:
      "function (doc) { if (doc.type !== 'execution') return; var v = { id: doc.id, name: doc.name, version: doc.version, status: doc.status, start: doc.start, end: doc.end };" +
      " emit([doc.namespace, doc.kind, doc.name, '*', doc.start], v); emit([doc.namespace, doc.kind, doc.name, doc.status, doc.start], v); }",
  },
};

/** Sequence numbers are zero-padded in ids so `_all_docs` returns history in order. */
const pad = (seq: number) => String(seq).padStart(12, '0');
const docId = (id: string) => `x:${id}`;
const historyId = (id: string, seq: number) => `h:${id}:${pad(seq)}`;
const transitionId = (id: string, n: number) => `t:${id}:${pad(n)}`;

/**
 * Composition executions in CouchDB (`${prefix}executions`): one document per execution (`x:<id>`, its snapshot
 * replaced at each snapshot), one document per history entry (`h:<id>:<seq>`) and one per transition
 * (`t:<id>:<n>`), so both logs are append-only and an entry written twice is a `conflict` — already stored, which is
 * what idempotence wants.
 */
export class CouchExecutionStore implements ExecutionStore {
  /** The last document written per running execution, with its revision (this engine is its only writer). */
  private readonly written = new Map<string, Record<string, unknown>>();

  private constructor(private readonly db: Database) {}

  static async open(options: CouchOptions): Promise<CouchExecutionStore> {
    return new CouchExecutionStore(await openDatabase(options, `${options.prefix}executions`, VIEWS));
  }

  async create(doc: ExecutionDoc): Promise<void> {
    try {
      const raw = { _id: docId(doc.id), type: 'execution', ...doc };
      const res = await this.db.insert(raw);
      this.written.set(doc.id, { ...raw, _rev: res.rev });
    } catch (e) {
      if (statusOf(e) === 409) throw new WhirlError('WHIRL_CONFLICT');
      throw storeUnavailable(e);
    }
  }

  /** The document and the history entries go in one `_bulk_docs`: one request per engine write. */
  async save(id: string, update: ExecutionUpdate, history: readonly HistoryRecord[] = []): Promise<void> {
    let entries = history;
    for (let attempt = 0; ; attempt++) {
      const base = this.written.get(id) ?? (await this.fetch(id))?.raw;
      if (!base) throw new WhirlError('WHIRL_NOT_FOUND');
      const next = { ...base, ...update, _id: docId(id) };
      let res: BulkResult[];
      try {
        res = await this.db.bulk({ docs: [next, ...historyDocs(id, entries)] });
      } catch (e) {
        this.written.delete(id);
        throw storeUnavailable(e);
      }
      const [own, ...rest] = res;
      if (own?.rev) {
        this.written.set(id, { ...next, _rev: own.rev });
        if (update.status !== 'running') this.written.delete(id);
        return historyFailure(rest);
      }
      // A stale cached revision (another process touched it, or a lost response): refetch once, then give up.
      this.written.delete(id);
      if (own?.error !== 'conflict' || attempt > 0) throw storeUnavailable(new Error(`execution save failed: ${own?.error}`));
      historyFailure(rest);
      entries = []; // stored (or already there) in the first attempt
    }
  }

  async get(id: string): Promise<ExecutionDoc | undefined> {
    return (await this.fetch(id))?.doc;
  }

  async listActive(): Promise<ExecutionDoc[]> {
    try {
      const res = await this.db.view(DESIGN, 'active', { include_docs: true });
      return res.rows.flatMap((r) => (r.doc ? [toDoc(r.doc as Record<string, unknown>)] : []));
    } catch (e) {
      throw storeUnavailable(e);
    }
  }

  /** History entries and transitions in one `_bulk_docs`. */
  async list(q: ExecutionQuery): Promise<ExecutionSummary[]> {
    const status = q.status ?? '*';
    try {
      const res = await this.db.view(DESIGN, 'byName', {
        startkey: [q.namespace, q.kind, q.name, status, {}],
        endkey: [q.namespace, q.kind, q.name, status],
        descending: true,
        skip: q.skip,
        limit: q.limit,
      });
      return res.rows.map((r) => r.value as ExecutionSummary);
    } catch (e) {
      throw storeUnavailable(e);
    }
  }

  /** History entries and transitions in one `_bulk_docs`. */
  async appendHistory(id: string, entries: readonly HistoryRecord[], transitions: readonly TransitionRecord[] = []): Promise<void> {
    if (entries.length === 0 && transitions.length === 0) return;
    const docs = [...historyDocs(id, entries), ...transitions.map((t) => ({ _id: transitionId(id, t.n), step: t }))];
    let res: BulkResult[];
    try {
      res = await this.db.bulk({ docs });
    } catch (e) {
      throw storeUnavailable(e);
    }
    historyFailure(res);
  }

  async transitions(id: string, afterN: number): Promise<TransitionRecord[]> {
    try {
      const res = await this.db.list({ startkey: transitionId(id, afterN + 1), endkey: `t:${id}:\ufff0`, include_docs: true });
      return res.rows.flatMap((r) => (r.doc ? [(r.doc as Record<string, unknown>).step as TransitionRecord] : []));
    } catch (e) {
      throw storeUnavailable(e);
    }
  }

  async history(id: string, page: { afterSeq: number; limit: number }): Promise<HistoryRecord[]> {
    try {
      const res = await this.db.list({
        startkey: historyId(id, page.afterSeq + 1),
        endkey: `h:${id}:\ufff0`,
        include_docs: true,
        limit: Math.min(page.limit, 1_000_000),
      });
      return res.rows.flatMap((r) => (r.doc ? [(r.doc as Record<string, unknown>).entry as HistoryRecord] : []));
    } catch (e) {
      throw storeUnavailable(e);
    }
  }

  async close(): Promise<void> {}

  private async fetch(id: string): Promise<{ doc: ExecutionDoc; raw: Record<string, unknown> } | undefined> {
    try {
      const raw = (await this.db.get(docId(id))) as Record<string, unknown>;
      return { doc: toDoc(raw), raw };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw storeUnavailable(e);
    }
  }
}

/** One document's outcome in a `_bulk_docs` answer. */
interface BulkResult {
  rev?: string;
  error?: string;
}

function historyDocs(id: string, entries: readonly HistoryRecord[]): Array<Record<string, unknown>> {
  return entries.map((e) => ({ _id: historyId(id, e.seq), entry: e }));
}

/** Throws if a history document failed to store: `conflict` means it already was (appends are idempotent). */
function historyFailure(results: readonly BulkResult[]): void {
  const failed = results.find((r) => r.error && r.error !== 'conflict');
  if (failed) throw storeUnavailable(new Error(`history append failed: ${failed.error}`));
}

function toDoc(raw: Record<string, unknown>): ExecutionDoc {
  const { type: _type, ...doc } = withoutMeta<Record<string, unknown>>(raw);
  return doc as unknown as ExecutionDoc;
}
