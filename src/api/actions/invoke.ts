import type { Action } from '../../domain/action.js';
import { StatusCode, servedRecord, servedResponse } from '../../domain/activation.js';
import type { Identity } from '../../domain/identity.js';
import { kvToObject } from '../../domain/key-value.js';
import { checkFinalParameters, resolveAction } from '../../engine/packages/resolve-action.js';
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
  /** Where `pkg` lives when not the caller's namespace (a published package elsewhere, already checked). */
  namespace?: string;
  /** The package (or binding) in the caller's namespace, for `actions/{pkg}/{name}`. */
  pkg?: string;
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

  const found = await lookup(deps, cache, call);
  if (!found) throw new WhirlError('WHIRL_NOT_FOUND');
  const { action, revision } = found;

  const size = call.bodyBytes + found.parameterBytes;
  if (size > limits.maxPayloadBytes) throw new WhirlError('WHIRL_ENTITY_TOO_LARGE', [size, limits.maxPayloadBytes]);
  checkFinalParameters(action, payload);

  const blocking = query.blocking === true;
  const outcome = await deps.engine.invoke({
    identity: call.identity,
    action,
    revision,
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

/**
 * The action with its merged parameters and their serialised size. Plain actions come from the cache; packaged
 * ones are resolved through their package or binding on every call (package < binding < action parameters).
 */
async function lookup(
  deps: ApiDeps,
  cache: ActionCache,
  call: InvokeCall,
): Promise<{ action: Action; revision: string; parameterBytes: number } | undefined> {
  if (!call.pkg) {
    const cached = await cache.get(call.identity.namespace, call.name);
    return cached && { action: cached.stored.doc, revision: cached.stored.rev, parameterBytes: cached.parameterBytes };
  }
  const resolved = await resolveAction(deps.entities, {
    namespace: call.namespace ?? call.identity.namespace,
    pkg: call.pkg,
    name: call.name,
  });
  if (!resolved) return undefined;
  const parameterBytes = Buffer.byteLength(JSON.stringify(kvToObject(resolved.action.parameters)));
  return { action: resolved.action, revision: resolved.revision, parameterBytes };
}
