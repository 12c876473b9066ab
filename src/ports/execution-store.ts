import type { CompositionDefinition, ExecutionStatus, StepError } from '../domain/composition.js';

/**
 * Durable state of composition executions: one document per execution holding its latest persisted snapshot (kept
 * flat by the engine), and a separate append-only history log.
 *
 * Contract (test/contract/composition-execution-store.contract.ts):
 * - `create` fails with WHIRL_CONFLICT if the id exists (an execution starts once).
 * - `save` replaces status/snapshot/result of an existing execution (last write wins: one engine owns an execution).
 *   Entries passed with it are appended as by `appendHistory`, in the same request where the store can (CouchDB:
 *   one `_bulk_docs`): it resolves only when the update and every entry are stored.
 * - `listActive` returns every execution whose status is `running` (what a restarted engine resumes).
 * - `appendHistory` is idempotent by (id, seq): an entry already stored is kept, not duplicated. `history` returns
 *   entries in `seq` order after `afterSeq`, at most `limit`.
 */
export interface ExecutionStore {
  create(doc: ExecutionDoc): Promise<void>;
  save(id: string, update: ExecutionUpdate, history?: readonly HistoryRecord[]): Promise<void>;
  get(id: string): Promise<ExecutionDoc | undefined>;
  listActive(): Promise<ExecutionDoc[]>;
  appendHistory(id: string, entries: readonly HistoryRecord[]): Promise<void>;
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
  end?: number;
  result?: unknown;
  error?: StepError;
}

export type ExecutionUpdate = Pick<ExecutionDoc, 'status' | 'snapshot'> & Partial<Pick<ExecutionDoc, 'end' | 'result' | 'error'>>;

/** A history entry as stored: any JSON object with a dense `seq` from 1. */
export interface HistoryRecord {
  seq: number;
  [field: string]: unknown;
}
