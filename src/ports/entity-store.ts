/**
 * Entities (actions now; triggers, rules, packages, compositions later) and subjects, keyed by
 * (collection, namespace, name). Every write is optimistic: `rev` must match the stored revision.
 *
 * Contract (test/contract/entity-store.contract.ts):
 * - `put` without `rev` creates, and fails with WHIRL_CONFLICT if the entity exists.
 * - `put` with `rev` updates, and fails with WHIRL_CONCURRENT_MODIFICATION if `rev` is stale; WHIRL_NOT_FOUND if gone.
 * - `delete` fails with WHIRL_NOT_FOUND if absent, WHIRL_CONCURRENT_MODIFICATION if `rev` is stale.
 * - `list` returns the namespace's entities of one collection, most recently `updated` first, then by name.
 * - Store outages surface as WHIRL_STORE_UNAVAILABLE.
 */
export interface EntityStore {
  get<T extends EntityDoc>(collection: Collection, namespace: string, name: string): Promise<Stored<T> | undefined>;
  put<T extends EntityDoc>(collection: Collection, doc: T, rev?: string): Promise<Stored<T>>;
  delete(collection: Collection, namespace: string, name: string, rev: string): Promise<void>;
  list<T extends EntityDoc>(collection: Collection, namespace: string, page: Page): Promise<T[]>;
  count(collection: Collection, namespace: string): Promise<number>;
  close(): Promise<void>;
}

/** `packages` etc. share the store; `subjects` holds identities (name = uuid, namespace = the subject's namespace). */
export type Collection = 'actions' | 'triggers' | 'rules' | 'packages' | 'compositions' | 'subjects';

/** Every entity carries its namespace (`ns` or `ns/pkg`), name and update time. */
export interface EntityDoc {
  namespace: string;
  name: string;
  updated: number;
}

export interface Stored<T> {
  doc: T;
  rev: string;
}

export interface Page {
  limit: number;
  skip: number;
}
