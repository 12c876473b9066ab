import type { FastifyReply, FastifyRequest } from 'fastify';
import { isRecord, StatusCode } from '../../../domain/activation.js';
import type { Identity } from '../../../domain/identity.js';
import { isTruthyAnnotation } from '../../../domain/key-value.js';
import {
  classifyBody,
  overridesProtected,
  type WebBody,
  type WebExtension,
  type WebRequest,
  webActionArgs,
  webAuthAllowed,
} from '../../../domain/web-action.js';
import { transcodeResult, type WebResponse } from '../../../domain/web-action-response.js';
import { resolveAction } from '../../../engine/packages/resolve-action.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { ApiDeps } from '../../deps.js';
import type { OwnerIdentities } from './owner-identities.js';

const WEB_CORS_METHODS = 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH';
const WEB_CORS_HEADERS = 'Authorization, Content-Type';

export interface WebTarget {
  namespace: string;
  pkg?: string;
  name: string;
  extension: WebExtension;
  /** `__ow_path`: what follows the action in the URL (web actions) or the route's path (API routes). */
  path: string;
  /** API routes' `{param}` values, passed like query parameters. */
  pathParams?: Record<string, string>;
}

export interface WebContext {
  deps: ApiDeps;
  owners: OwnerIdentities;
  authenticator: Authenticator;
}

/**
 * Runs one web action for an HTTP request and writes the response (`C/WebActions.scala` handleMatch →
 * completeRequest): the action must exist and carry `web-export: true` (else 404, leaking nothing); it runs as
 * its namespace's owner, blocking for up to the blocking-wait limit (then 202 `Response not yet ready.`).
 * CORS is answered here unless the action takes `web-custom-options`, in which case OPTIONS reaches the action.
 */
export async function serveWebAction(ctx: WebContext, target: WebTarget, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { deps } = ctx;
  const owner = await ctx.owners.of(target.namespace);
  if (!owner) throw new WhirlError('WHIRL_NOT_FOUND');
  const resolved = await resolveAction(deps.entities, {
    namespace: target.namespace,
    ...(target.pkg !== undefined ? { pkg: target.pkg } : {}),
    name: target.name,
  });
  const action = resolved?.action;
  if (!resolved || !action || !isTruthyAnnotation(action.annotations, 'web-export')) throw new WhirlError('WHIRL_NOT_FOUND');

  const customOptions = isTruthyAnnotation(action.annotations, 'web-custom-options');
  if (customOptions) {
    for (const h of ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers']) {
      reply.removeHeader(h);
    }
  } else {
    const asked = request.headers['access-control-request-headers'];
    reply.header('access-control-allow-methods', WEB_CORS_METHODS);
    reply.header('access-control-allow-headers', typeof asked === 'string' ? asked : WEB_CORS_HEADERS);
    if (request.method === 'OPTIONS') return reply.code(200).send();
  }

  const headers = lowerHeaders(request);
  const user = await optionalUser(ctx.authenticator, headers.authorization, request.ip);
  const allowed = (request.method === 'OPTIONS' && customOptions) || webAuthAllowed(action.annotations, headers, user !== undefined);
  if (!allowed) throw new WhirlError('WHIRL_UNAUTHENTICATED');

  const raw = isTruthyAnnotation(action.annotations, 'raw-http');
  const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const webRequest: WebRequest = {
    method: request.method,
    headers,
    path: target.path,
    query: { ...queryOf(request), ...target.pathParams },
    rawQuery: request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '',
    body: parseBody(headers['content-type'], bytes, raw),
    ...(user ? { user: user.namespace } : {}),
  };
  if (overridesProtected(webRequest, raw, action.parameters, action.annotations)) throw new WhirlError('WHIRL_FINAL_PARAMS');
  const outcome = await deps.engine.invoke({
    identity: owner,
    action,
    revision: resolved.revision,
    payload: webActionArgs(webRequest, raw),
    blocking: true,
    waitMs: deps.config.limits.maxBlockingWaitMs,
    transactionId: String(request.id),
  });
  reply.header('x-openwhisk-activation-id', outcome.activationId);
  const record = outcome.record;
  if (!record) throw new WhirlError('WHIRL_WEB_NOT_READY');
  return send(reply, respond(target.extension, record.response.statusCode, record.response.result));
}

function respond(extension: WebExtension, status: StatusCode, result: unknown): WebResponse {
  if (status === StatusCode.Success) return transcodeResult(extension, result);
  if (status !== StatusCode.ApplicationError) throw new WhirlError('WHIRL_WEB_PROCESSING_ERROR');
  const error = isRecord(result) ? result.error : undefined;
  if (error === undefined) throw new WhirlError('WHIRL_WEB_PROPERTY_NOT_FOUND');
  return transcodeResult(extension, error);
}

function send(reply: FastifyReply, res: WebResponse): FastifyReply {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of res.headers) grouped.set(k, [...(grouped.get(k) ?? []), v]);
  for (const [k, vs] of grouped) reply.header(k, vs.length === 1 ? vs[0] : vs);
  reply.code(res.status);
  if (res.body === undefined) {
    reply.removeHeader('content-type');
    return reply.send();
  }
  if (res.contentType) reply.type(res.contentType);
  return reply.send(res.body);
}

function parseBody(contentType: string | undefined, bytes: Buffer, raw: boolean): WebBody {
  try {
    return classifyBody(contentType, bytes, raw);
  } catch (e) {
    throw new WhirlError('WHIRL_INVALID_JSON', [(e as Error).message]);
  }
}

function lowerHeaders(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function queryOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  }
  return out;
}

async function optionalUser(authenticator: Authenticator, authorization: string | undefined, client: string): Promise<Identity | undefined> {
  if (!authorization) return undefined;
  return authenticator.authenticate(authorization, client).catch(() => undefined);
}
