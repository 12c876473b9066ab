import type { ActivationRecord } from '../domain/activation.js';

/**
 * Activation records, filed under the invoking namespace.
 *
 * Contract (test/contract/activation-store.contract.ts):
 * - `putBatch` is idempotent by (namespace, activationId): a record already stored is kept, not duplicated, and
 *   is not an error. It resolves only once every record is durably stored; on outage it rejects with
 *   WHIRL_STORE_UNAVAILABLE and stores nothing it has not reported (callers retry the whole batch).
 * - `list` is newest `start` first, filtered by `name` (`pkg/action` or `action`), `since`/`upto` (epoch ms,
 *   inclusive on `start`), paged by `skip`/`limit`; `count` applies the same filters.
 */
export interface ActivationStore {
  putBatch(records: readonly ActivationRecord[]): Promise<void>;
  get(namespace: string, activationId: string): Promise<ActivationRecord | undefined>;
  list(namespace: string, query: ActivationQuery): Promise<ActivationRecord[]>;
  count(namespace: string, query: Omit<ActivationQuery, 'limit' | 'skip'>): Promise<number>;
  close(): Promise<void>;
}

export interface ActivationQuery {
  name?: string;
  since?: number;
  upto?: number;
  limit: number;
  skip: number;
}
