import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { StatusCode } from '../../../domain/activation.js';
import type { Identity } from '../../../domain/identity.js';
import { isTruthyAnnotation } from '../../../domain/key-value.js';
import { DEFAULT_NAMESPACE, isValidName } from '../../../domain/names.js';
import {
  classifyBody,
  overridesProtected,
  splitExtension,
  type WebBody,
  type WebExtension,
  type WebRequest,
  webActionArgs,
  webAuthAllowed,
} from '../../../domain/web-action.js';
import { transcodeResult, type WebResponse } from '../../../domain/web-action-response.js';
import { isRecord } from '../../../domain/activation.js';
import { resolveAction } from '../../../engine/packages/resolve-action.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { ApiDeps } from '../../deps.js';
import { OwnerIdentities } from './owner-identities.js';

export interface WebActionRoutesOptions {
  deps: ApiDeps;
  authenticator: Authenticator;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const WEB_CORS_METHODS = 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH';
const WEB_CORS_HEADERS = 'Authorization, Content-Type';

/**
 * `/api/v1/web/{ns}/{pkg|default}/{action}[.ext][/path]` (§1.9, `C/WebActions.scala`): no auth required; the
 * action must be annotated `web-export: true` (else 404, leaking nothing) and runs as its namespace's owner,
 * blocking for up to the blocking-wait limit (then 202 `Response not yet ready.`). Any content type is accepted;
 * the body is read raw and classified by `classifyBody`.
 */
export const webActionRoutes: FastifyPluginAsync<WebActionRoutesOptions> = async (scope, { deps, authenticator }) => {
  const owners = new OwnerIdentities(deps.entities, deps.clock);
  const { limits } = deps.config;

  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  scope.route<{ Params: { ns: string; pkg: string; '*': string } }>({
    method: [...METHODS],
    url: '/:ns/:pkg/*',
    exposeHeadRoute: false,
    bodyLimit: limits.maxPayloadBytes,
    handler: async (request, reply) => {
      const { ns, pkg } = request.params;
      const [segment = '', ...rest] = request.params['*'].split('/');
      const { name, extension } = splitExtension(segment);
      if (!isValidName(ns) || ns === DEFAULT_NAMESPACE || !isValidName(pkg) || !isValidName(name)) {
        throw new WhirlError('WHIRL_NOT_FOUND');
      }
      const owner = await owners.of(ns);
      if (!owner) throw new WhirlError('WHIRL_NOT_FOUND');
      const resolved = await resolveAction(deps.entities, { namespace: ns, ...(pkg === 'default' ? {} : { pkg }), name });
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
      const user = await optionalUser(authenticator, headers.authorization);
      const allowed = (request.method === 'OPTIONS' && customOptions) || webAuthAllowed(action.annotations, headers, user !== undefined);
      if (!allowed) throw new WhirlError('WHIRL_UNAUTHENTICATED');

      const raw = isTruthyAnnotation(action.annotations, 'raw-http');
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const webRequest: WebRequest = {
        method: request.method,
        headers,
        path: rest.length > 0 ? `/${rest.join('/')}` : '',
        query: queryOf(request),
        rawQuery: request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '',
        body: parseBody(headers['content-type'], bytes, raw),
        ...(user ? { user: user.namespace } : {}),
      };
      if (overridesProtected(webRequest, raw, action.parameters, action.annotations)) {
        throw new WhirlError('WHIRL_FINAL_PARAMS');
      }
      const outcome = await deps.engine.invoke({
        identity: owner,
        action,
        revision: resolved.revision,
        payload: webActionArgs(webRequest, raw),
        blocking: true,
        waitMs: limits.maxBlockingWaitMs,
        transactionId: String(request.id),
      });
      reply.header('x-openwhisk-activation-id', outcome.activationId);
      const record = outcome.record;
      if (!record) throw new WhirlError('WHIRL_WEB_NOT_READY');
      return send(reply, respond(extension, record.response.statusCode, record.response.result));
    },
  });
};

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

async function optionalUser(authenticator: Authenticator, authorization: string | undefined): Promise<Identity | undefined> {
  if (!authorization) return undefined;
  return authenticator.authenticate(authorization).catch(() => undefined);
}
