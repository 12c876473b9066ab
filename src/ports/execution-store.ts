import type { CompositionDefinition, ExecutionStatus, StepError } from '../domain/composition.js';

/**
 * Durable state of composition executions: one document per execution holding a persisted snapshot (kept flat by
 * the engine), an append-only log of the transitions applied since (the events, replayed onto the snapshot to
 * resume), and an append-only history log. The engine rewrites the document only every so many transitions or
 * bytes, so what one transition writes is proportional to that transition, not to the whole state.
 *
 * Contract (test/contract/composition-execution-store.contract.ts):
 * - `create` fails with WHIRL_CONFLICT if the id exists (an execution starts once).
 * - `save` replaces status/snapshot/result of an existing execution (last write wins: one engine owns an execution).
 *   Entries passed with it are appended as by `appendHistory`, in the same request where the store can (CouchDB:
 *   one `_bulk_docs`): it resolves only when the update and every entry are stored.
 * - `listActive` returns every execution whose status is `running` (what a restarted engine resumes).
 * - `appendHistory` is idempotent by (id, seq): an entry already stored is kept, not duplicated. `history` returns
 *   entries in `seq` order after `afterSeq`, at most `limit`. Transitions passed with it are stored in the same
 *   request where the store can, idempotent by (id, n); `transitions` returns those after `afterN` in `n` order
 *   (at least every one after the document's `snapshotAt`; older ones may have been dropped).
 */
export interface ExecutionStore {
  create(doc: ExecutionDoc): Promise<void>;
  save(id: string, update: ExecutionUpdate, history?: readonly HistoryRecord[]): Promise<void>;
  get(id: string): Promise<ExecutionDoc | undefined>;
  listActive(): Promise<ExecutionDoc[]>;
  /** Executions of one composition (or sequence) in a namespace, newest first, optionally of one status. */
  list(q: ExecutionQuery): Promise<ExecutionSummary[]>;
  appendHistory(id: string, entries: readonly HistoryRecord[], transitions?: readonly TransitionRecord[]): Promise<void>;
  transitions(id: string, afterN: number): Promise<TransitionRecord[]>;
  history(id: string, page: { afterSeq: number; limit: number }): Promise<HistoryRecord[]>;
  close(): Promise<void>;
}

/** One execution. `id` is its activation id (the composition's or sequence's own activation record). */
export interface ExecutionDoc {
  id: string;
  /** The invoking namespace (records are filed under it). */
  namespace: string;
  subject: string;
  /** What ran: a composition or a sequence action, by name, and the version that ran. */
  kind: 'composition' | 'sequence';
  name: string;
  version: string;
  /** The definition as it was when the execution started (updates do not change running executions). */
  definition: CompositionDefinition;
  /** Annotations for the final record (`path`, `limits`, `causedBy`, …). */
  recordAnnotations: Array<{ key: string; value: unknown }>;
  /** Set when started by another activation (a nested sequence or a composition task). */
  cause?: string;
  /** Child executions: how many executions it is nested in (1 for a parent's direct child). */
  depth?: number;
  start: number;
  status: ExecutionStatus;
  /** xstate persisted snapshot. */
  snapshot: unknown;
  /** How many transitions the snapshot includes (those after it are in the transition log); absent = 0. */
  snapshotAt?: number;
  end?: number;
  result?: unknown;
  error?: StepError;
}

export type ExecutionUpdate = Pick<ExecutionDoc, 'status' | 'snapshot'> &
  Partial<Pick<ExecutionDoc, 'snapshotAt' | 'end' | 'result' | 'error'>>;

export interface ExecutionQuery {
  namespace: string;
  kind: ExecutionDoc['kind'];
  name: string;
  status?: ExecutionDoc['status'];
  skip: number;
  limit: number;
}

/** What a listing shows of an execution. */
export type ExecutionSummary = Pick<ExecutionDoc, 'id' | 'name' | 'version' | 'status' | 'start' | 'end'>;

/** One applied transition: its number (dense from 1 per execution) and the event the reducer applied. */
export interface TransitionRecord {
  n: number;
  event: unknown;
}

/** A history entry as stored: any JSON object with a dense `seq` from 1. */
export interface HistoryRecord {
  seq: number;
  [field: string]: unknown;
}
