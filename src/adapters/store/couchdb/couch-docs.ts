import { openDatabase, statusOf, type CouchOptions, type Database, type Views } from './couch-database.js';

type Doc = Record<string, unknown>;

/** What a read-modify-write step decides: the document to write (none: leave it), and what the caller gets. */
export interface Step<R> {
  write?: Doc | 'delete';
  result: R;
}

/**
 * Small shared documents in one CouchDB database, changed by read-modify-write with the revision as the fence:
 * a write that lost a race (409) is retried on the fresh document, so concurrent processes never overwrite each
 * other. Changes to one document from this process are queued locally, so only other processes cause retries.
 * The database is opened on first use (and again after a failed open), so an unreachable server fails the call,
 * not the construction.
 */
export class CouchDocs {
  private opening: Promise<Database> | undefined;
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly options: CouchOptions,
    private readonly name: string,
    private readonly views: Views = {},
  ) {}

  db(): Promise<Database> {
    const opening = (this.opening ??= openDatabase(this.options, `${this.options.prefix}${this.name}`, this.views));
    opening.catch(() => {
      if (this.opening === opening) this.opening = undefined;
    });
    return opening;
  }

  async get<D extends Doc>(id: string): Promise<(D & { _rev: string }) | undefined> {
    const db = await this.db();
    try {
      return (await db.get(id)) as unknown as D & { _rev: string };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  /** Creates `id` unless it exists: true when this call created it. */
  async create(id: string, doc: Doc): Promise<boolean> {
    const db = await this.db();
    try {
      await db.insert({ ...doc, _id: id });
      return true;
    } catch (e) {
      if (statusOf(e) === 409) return false;
      throw e;
    }
  }

  /** Applies `step` to the current document (undefined: none) until its write wins; returns its result. */
  update<D extends Doc, R>(id: string, step: (current: D | undefined) => Step<R>): Promise<R> {
    const previous = this.chains.get(id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.updateNow(id, step));
    this.chains.set(id, run);
    void run.finally(() => {
      if (this.chains.get(id) === run) this.chains.delete(id);
    }).catch(() => undefined);
    return run;
  }

  /** Documents whose ids start with `prefix`. */
  async list<D extends Doc>(prefix: string): Promise<Array<D & { _id: string; _rev: string }>> {
    const db = await this.db();
    const res = await db.list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true });
    return res.rows.flatMap((r) => (r.doc ? [r.doc as unknown as D & { _id: string; _rev: string }] : []));
  }

  /** Deletes documents by id and revision; ones changed meanwhile are left. */
  async remove(docs: Array<{ _id: string; _rev: string }>): Promise<void> {
    if (docs.length === 0) return;
    const db = await this.db();
    await db.bulk({ docs: docs.map((d) => ({ _id: d._id, _rev: d._rev, _deleted: true })) });
  }

  private async updateNow<D extends Doc, R>(id: string, step: (current: D | undefined) => Step<R>): Promise<R> {
    const db = await this.db();
    for (let attempt = 0; ; attempt++) {
      const current = await this.get<D>(id);
      const { write, result } = step(current);
      if (write === undefined) return result;
      if (write === 'delete' && !current) return result;
      try {
        const rev = current ? { _rev: current._rev } : {};
        await db.insert(write === 'delete' ? { _id: id, ...rev, _deleted: true } : { ...write, _id: id, ...rev });
        return result;
      } catch (e) {
        if (statusOf(e) !== 409) throw e;
        // Another process changed it first: read again, after a short random pause that spreads the retries.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
      }
    }
  }
}

/**
 * The `<prefix>coordination` database of `WHIRL_COORDINATION=store`: the invoker registry (`inv:`), throttle
 * counters (`rate:`, `slots:`), schedules (`sched:`, `ticks:`), Kafka feed subscriptions (`kafka-sub:`) and the
 * webhook inbox (`wh:`). Every adapter opens it with the same views (a design document holds all of them).
 */
export function coordinationDocs(options: CouchOptions): CouchDocs {
  return new CouchDocs(options, 'coordination', COORDINATION_VIEWS);
}

const COORDINATION_VIEWS: Views = {
  webhook_pending: {
    map: "function (doc) { if (doc.kind === 'webhook' && doc.state === 'pending') emit(doc.order, null); }",
    reduce: '_count',
  },
  webhook_done: {
    map: "function (doc) { if (doc.kind === 'webhook' && doc.state === 'done') emit(doc.forgetAt, null); }",
  },
};
