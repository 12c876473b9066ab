import type { FastifyInstance, HTTPMethods } from 'fastify';
import { WhirlError } from '../errors/whirl-error.js';

const ALL: HTTPMethods[] = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'];

/**
 * Answers 405 for the methods a resource does not support. Without this, fastify answers an unknown method on a
 * known path with 404. OPTIONS is left to the CORS route.
 */
export function methodNotAllowed(scope: FastifyInstance, url: string, allowed: HTTPMethods[]): void {
  const implied = allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
  const method = ALL.filter((m) => !implied.includes(m));
  if (method.length === 0) return;
  scope.route({
    method,
    url,
    // Answers only 405: not an operation of the OpenAPI document (a lone PATCH would otherwise be documented).
    schema: { hide: true },
    handler: async (_request, reply) => {
      reply.header('allow', implied.join(', '));
      throw new WhirlError('WHIRL_METHOD_NOT_ALLOWED');
    },
  });
}

/** The methods Whirl routes; anything else (TRACE, QUERY, CONNECT, WebDAV verbs, …) is 405 on every path. */
const ROUTED = new Set<string>([...ALL, 'OPTIONS']);

/**
 * Answers 405 `{error, code}` with `Allow` for a method a documented resource does not have and no route takes
 * (TRACE, QUERY, PUT /ping, …), before body parsing: fastify would otherwise answer a bodiless QUERY with a
 * content-type 400 and the rest with 404. A method nothing routes on an unknown path is 404. Found by
 * schemathesis (docs/bad-input.md).
 */
export function rejectUnroutedMethods(app: FastifyInstance): void {
  let resources: Resource[] | undefined;
  app.addHook('onRequest', async (request, reply) => {
    // A routed request has its route; only fastify's 404 handler has none.
    if (request.routeOptions.url !== undefined) return;
    // RFC 9110: a 405 lists what the resource allows. The documented operations are the resources' methods.
    resources ??= documentedResources(app);
    const path = request.url.split('?')[0] ?? '';
    const allow = resources.find((r) => r.pattern.test(path))?.methods;
    if (!allow) {
      if (ROUTED.has(request.method)) return; // a plain 404, from the not-found handler
      throw new WhirlError('WHIRL_NOT_FOUND');
    }
    reply.header('allow', allow.join(', '));
    throw new WhirlError('WHIRL_METHOD_NOT_ALLOWED');
  });
}

interface Resource {
  pattern: RegExp;
  methods: string[];
}

/** Each path of the OpenAPI document (`{param}` matches one segment) with its methods (HEAD where GET is). */
function documentedResources(app: FastifyInstance): Resource[] {
  const paths = (app.swagger() as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  return Object.entries(paths).map(([path, ops]) => {
    const methods = Object.keys(ops).map((m) => m.toUpperCase());
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
    return { pattern: new RegExp(`^${source}/?$`), methods: methods.includes('GET') ? [...methods, 'HEAD'] : methods };
  });
}
