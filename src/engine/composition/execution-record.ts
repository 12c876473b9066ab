import { type ActivationRecord, type StatusCode, StatusCode as SC, isRecord, makeResponse } from '../../domain/activation.js';
import type { StepError } from '../../domain/composition.js';
import type { ExecutionDoc, ExecutionUpdate, HistoryRecord } from '../../ports/execution-store.js';
import type { ExecContext } from './exec-context.js';

/** Step error name for a finished activation: the action's own `error.name` if it gives one, else by status. */
export function errorFromRecord(record: ActivationRecord): StepError {
  const result = record.response.result;
  const error = isRecord(result) ? result.error : undefined;
  if (isRecord(error) && typeof error.name === 'string') {
    return { name: error.name, cause: error, statusCode: record.response.statusCode };
  }
  const timedOut = record.annotations.some((a) => a.key === 'timeout' && a.value === true);
  const name = timedOut ? 'ActionTimeout' : STATUS_NAMES[record.response.statusCode];
  return { name, cause: error, statusCode: record.response.statusCode };
}

const STATUS_NAMES: Record<StatusCode, string> = {
  0: 'Success',
  1: 'ApplicationError',
  2: 'DeveloperError',
  3: 'WhiskError',
};

/** An execution that ended with `ctx` at `end`: the document its record is built from, and its terminal save. */
export function ended(
  doc: ExecutionDoc,
  ctx: ExecContext,
  end: number,
  snapshot: unknown,
): { doc: ExecutionDoc; update: ExecutionUpdate & { end: number } } {
  const outcome = {
    end,
    ...(ctx.result !== undefined ? { result: ctx.result } : {}),
    ...(ctx.error !== undefined ? { error: ctx.error } : {}),
  };
  return { doc: { ...doc, status: ctx.status, ...outcome }, update: { status: ctx.status, snapshot, ...outcome } };
}

/** The history entries `executionRecord` reads (an engine that saw every transition keeps just these in memory). */
export function feedsRecord(entry: HistoryRecord): boolean {
  return entry.type === 'TaskDispatched' || entry.type === 'TaskCompleted';
}

/**
 * The execution's own activation record (pure). Sequences and conductors follow OpenWhisk (§4.1, §4.2): `logs` =
 * the activation ids of the steps that ran, in order, `duration` = the sum of component durations, the response of the last component (its status code
 * preserved on failure), `kind: sequence`, `topmost` unless nested, `causedBy` and `cause` when nested.
 * Compositions use the same shape with `kind: composition`, wall-clock duration, and failures as an application
 * error `{error: {name, cause}}`.
 */
export function executionRecord(doc: ExecutionDoc, history: readonly HistoryRecord[], end: number): ActivationRecord {
  const dispatched: string[] = [];
  // A task whose action could not be resolved never ran: it has no activation to list (as in OpenWhisk).
  const neverRan = new Set<string>();
  let durationSum = 0;
  for (const h of history) {
    if (h.type === 'TaskDispatched' && typeof h.activationId === 'string') dispatched.push(h.activationId);
    if (h.type === 'TaskCompleted' && typeof h.duration === 'number') durationSum += h.duration;
    const notFound = isRecord(h.error) && h.error.name === 'NotFound';
    if (h.type === 'TaskCompleted' && h.duration === undefined && notFound && typeof h.activationId === 'string') neverRan.add(h.activationId);
  }
  const logs = dispatched.filter((id) => !neverRan.has(id));
  const sequence = doc.kind === 'sequence';
  let response;
  if (doc.status === 'succeeded') response = makeResponse(SC.Success, doc.result ?? {});
  else if (sequence && doc.error) {
    const status = (doc.error.statusCode ?? SC.ApplicationError) as StatusCode;
    response = makeResponse(status, { error: doc.error.cause ?? doc.error.name });
  } else {
    response = makeResponse(SC.ApplicationError, { error: { name: doc.error?.name ?? 'Failed', cause: doc.error?.cause } });
  }
  const annotations = [
    ...doc.recordAnnotations,
    { key: 'kind', value: doc.kind },
    { key: 'waitTime', value: 0 },
    ...(doc.cause ? [{ key: 'causedBy', value: doc.kind }] : [{ key: 'topmost', value: true }]),
  ];
  const record: ActivationRecord = {
    namespace: doc.namespace,
    name: doc.name,
    version: doc.version,
    subject: doc.subject,
    activationId: doc.id as ActivationRecord['activationId'],
    start: doc.start,
    end,
    duration: sequence ? durationSum : end - doc.start,
    response,
    logs,
    annotations,
    publish: false,
  };
  if (doc.cause) record.cause = doc.cause;
  return record;
}
