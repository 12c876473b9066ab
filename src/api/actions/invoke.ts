import { StatusCode, servedRecord, servedResponse } from '../../domain/activation.js';
import type { Identity } from '../../domain/identity.js';
import { isTruthyAnnotation } from '../../domain/key-value.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { ActionCache } from '../action-cache.js';
import type { ApiDeps } from '../deps.js';

export interface InvokeQuery {
  blocking?: boolean;
  result?: boolean;
  timeout?: number;
}

export interface InvokeCall {
  identity: Identity;
  name: string;
  query: InvokeQuery;
  /** The parsed body: an object or array; undefined when the request had none. */
  body: unknown;
  /** Size of the request body as received (bytes). */
  bodyBytes: number;
  transactionId: string;
}

export interface InvokeAnswer {
  status: number;
  body: unknown;
  activationId: string;
}

/**
 * `POST …/actions/{name}` (§1.6). The hot path: one cache lookup, no re-serialisation of the payload (its size is
 * the body's byte length plus the cached size of the action's parameters), then the engine.
 */
export async function invokeAction(deps: ApiDeps, cache: ActionCache, call: InvokeCall): Promise<InvokeAnswer> {
  const { limits } = deps.config;
  const { query } = call;
  const waitMs = query.timeout ?? limits.maxBlockingWaitMs;
  if (waitMs < 1 || waitMs > limits.maxBlockingWaitMs) {
    throw new WhirlError('WHIRL_INVALID_TIMEOUT', [limits.maxBlockingWaitMs]);
  }
  const payload = call.body ?? {};
  if (typeof payload !== 'object' || payload === null) {
    throw new WhirlError('WHIRL_INVALID_JSON', ['the payload must be a JSON object or array']);
  }

  const cached = await cache.get(call.identity.namespace, call.name);
  if (!cached) throw new WhirlError('WHIRL_NOT_FOUND');
  const action = cached.stored.doc;

  const size = call.bodyBytes + cached.parameterBytes;
  if (size > limits.maxPayloadBytes) throw new WhirlError('WHIRL_ENTITY_TOO_LARGE', [size, limits.maxPayloadBytes]);
  if (!Array.isArray(payload) && isTruthyAnnotation(action.annotations, 'final')) {
    const bound = new Set(action.parameters.filter((p) => p.value !== undefined && p.value !== null).map((p) => p.key));
    if (Object.keys(payload).some((k) => bound.has(k))) throw new WhirlError('WHIRL_FINAL_PARAMS');
  }

  const blocking = query.blocking === true;
  const outcome = await deps.engine.invoke({
    identity: call.identity,
    action,
    revision: cached.stored.rev,
    payload,
    blocking,
    waitMs,
    transactionId: call.transactionId,
  });
  const activationId = outcome.activationId;
  const record = outcome.record;
  if (!blocking || !record) return { status: 202, body: { activationId }, activationId };

  const status = record.response.statusCode === StatusCode.Success
    ? 200
    : record.response.statusCode === StatusCode.WhiskError
      ? 500
      : 502;
  const body = query.result ? servedResponse(record.response).result : servedRecord(record);
  return { status, body, activationId };
}
