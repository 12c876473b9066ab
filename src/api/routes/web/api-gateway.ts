import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiDoc, HTTP_VERBS, matchRoute } from '../../../domain/api-route.js';
import { isValidName, parseQualifiedName } from '../../../domain/names.js';
import type { WebExtension } from '../../../domain/web-action.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { ApiDeps } from '../../deps.js';
import { API_COLLECTION } from '../../apis/api-book.js';
import { OwnerIdentities } from './owner-identities.js';
import { serveWebAction } from './serve-web-action.js';
import { acceptRawBodies } from './web-actions.js';

/**
 * `/apis/{ns}/{basePath}/{relPath…}`: serves the API routes of `…/namespaces/{ns}/apis` by running their web
 * action with the route's response type. `{param}` segments reach the action like query parameters, the path
 * after the base path as `__ow_path`. No route for the path and verb → 404.
 */
export const apiGatewayRoutes: FastifyPluginAsync<{ deps: ApiDeps; authenticator: Authenticator }> = async (
  scope,
  { deps, authenticator },
) => {
  const ctx = { deps, authenticator, owners: new OwnerIdentities(deps.entities, deps.clock) };
  acceptRawBodies(scope);

  const handler = async (request: FastifyRequest<{ Params: { ns: string; base: string; '*'?: string } }>, reply: FastifyReply) => {
    const { ns, base } = request.params;
    if (!isValidName(ns)) throw new WhirlError('WHIRL_NOT_FOUND');
    const doc = (await deps.entities.get<ApiDoc>(API_COLLECTION, ns, base))?.doc;
    const path = `/${request.params['*'] ?? ''}`;
    // OPTIONS of a path with any route is answered like the route's web action answers it (CORS).
    const match = doc && (matchRoute(doc, request.method, path) ?? (request.method === 'OPTIONS' ? anyVerb(doc, path) : undefined));
    const target = match && parseQualifiedName(match.route.action, ns);
    if (!match || !target) throw new WhirlError('WHIRL_NOT_FOUND');
    return serveWebAction(
      ctx,
      {
        namespace: target.namespace,
        ...(target.pkg !== undefined ? { pkg: target.pkg } : {}),
        name: target.name,
        extension: `.${match.route.responseType}` as WebExtension,
        path,
        pathParams: match.params,
      },
      request,
      reply,
    );
  };
  for (const url of ['/:ns/:base', '/:ns/:base/*']) {
    scope.route({ method: [...HTTP_VERBS], url, exposeHeadRoute: false, bodyLimit: deps.config.limits.maxPayloadBytes, handler });
  }
};

function anyVerb(doc: ApiDoc, path: string) {
  for (const verb of HTTP_VERBS) {
    const m = matchRoute(doc, verb, path);
    if (m) return m;
  }
  return undefined;
}
