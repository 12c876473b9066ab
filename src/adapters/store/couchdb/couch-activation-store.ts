import type { ActivationRecord } from '../../../domain/activation.js';
import type { ActivationQuery, ActivationStore } from '../../../ports/activation-store.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import { activationDocId } from '../doc-ids.js';
import { type CouchOptions, type Database, DESIGN, openDatabase, statusOf, storeUnavailable, withoutMeta } from './couch-database.js';
import { ACTIVATION_VIEWS } from './design-docs.js';

type Filters = Omit<ActivationQuery, 'limit' | 'skip'>;

/**
 * Activation records in CouchDB (`${prefix}activations`), `_id` `namespace/activationId`. A batch is one
 * `_bulk_docs`; a per-document `conflict` means the record is already stored, which is what idempotence wants.
 */
export class CouchActivationStore implements ActivationStore {
  private constructor(private readonly db: Database) {}

  static async open(options: CouchOptions): Promise<CouchActivationStore> {
    return new CouchActivationStore(await openDatabase(options, `${options.prefix}activations`, ACTIVATION_VIEWS));
  }

  async putBatch(records: readonly ActivationRecord[]): Promise<void> {
    if (records.length === 0) return;
    const docs = records.map((r) => ({ ...r, _id: activationDocId(r.namespace, r.activationId) }));
    let results: Array<{ id: string; error?: string; reason?: string }>;
    try {
      results = await this.db.bulk({ docs });
    } catch (e) {
      throw storeUnavailable(e);
    }
    const failed = results.filter((r) => r.error !== undefined && r.error !== 'conflict');
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new WhirlError('WHIRL_STORE_UNAVAILABLE', [
        `${failed.length} of ${records.length} records rejected, e.g. ${first.id}: ${first.error} ${first.reason ?? ''}`,
      ]);
    }
  }

  async get(namespace: string, activationId: string): Promise<ActivationRecord | undefined> {
    try {
      return withoutMeta<ActivationRecord>(await this.db.get(activationDocId(namespace, activationId)));
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw storeUnavailable(e);
    }
  }

  async list(namespace: string, query: ActivationQuery): Promise<ActivationRecord[]> {
    const keys = keyRange(namespace, query);
    if (!keys || query.limit <= 0) return [];
    try {
      const res = await this.db.view(DESIGN, keys.view, {
        startkey: keys.startkey,
        endkey: keys.endkey,
        descending: true,
        reduce: false,
        include_docs: true,
        skip: query.skip,
        limit: query.limit,
      });
      return res.rows.flatMap((row) => (row.doc ? [withoutMeta<ActivationRecord>(row.doc)] : []));
    } catch (e) {
      throw storeUnavailable(e);
    }
  }

  async count(namespace: string, query: Filters): Promise<number> {
    const keys = keyRange(namespace, query);
    if (!keys) return 0;
    try {
      const res = await this.db.view<number>(DESIGN, keys.view, {
        startkey: keys.startkey,
        endkey: keys.endkey,
        descending: true,
        reduce: true,
      });
      return res.rows[0]?.value ?? 0;
    } catch (e) {
      throw storeUnavailable(e);
    }
  }

  async close(): Promise<void> {}
}

/**
 * The descending key range for the filters: from [.., upto] (or past every number: `{}`) down to [.., since]
 * (or the bare prefix, which collates before any longer key). Undefined when since > upto: CouchDB rejects a
 * reversed range, and nothing can match anyway.
 */
function keyRange(
  namespace: string,
  q: Filters,
): { view: 'by_namespace' | 'by_name'; startkey: unknown[]; endkey: unknown[] } | undefined {
  if (q.since !== undefined && q.upto !== undefined && q.since > q.upto) return undefined;
  const prefix = q.name === undefined ? [namespace] : [namespace, q.name];
  return {
    view: q.name === undefined ? 'by_namespace' : 'by_name',
    startkey: [...prefix, q.upto ?? {}],
    endkey: q.since === undefined ? prefix : [...prefix, q.since],
  };
}
