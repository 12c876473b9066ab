import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { HTTP_VERBS } from '../../../domain/api-route.js';
import { DEFAULT_NAMESPACE, isValidName } from '../../../domain/names.js';
import { splitExtension } from '../../../domain/web-action.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { ApiDeps } from '../../deps.js';
import { OwnerIdentities } from './owner-identities.js';
import { serveWebAction } from './serve-web-action.js';

export interface WebActionRoutesOptions {
  deps: ApiDeps;
  authenticator: Authenticator;
}

/**
 * `/api/v1/web/{ns}/{pkg|default}/{action}[.ext][/path]` (§1.9): no auth required (see `serveWebAction`).
 * Any content type is accepted: the body is read raw and classified by the domain.
 */
export const webActionRoutes: FastifyPluginAsync<WebActionRoutesOptions> = async (scope, { deps, authenticator }) => {
  const ctx = { deps, authenticator, owners: new OwnerIdentities(deps.entities, deps.clock) };
  acceptRawBodies(scope);

  scope.route<{ Params: { ns: string; pkg: string; '*': string } }>({
    method: [...HTTP_VERBS],
    url: '/:ns/:pkg/*',
    exposeHeadRoute: false,
    bodyLimit: deps.config.limits.maxPayloadBytes,
    handler: async (request, reply) => {
      const { ns, pkg } = request.params;
      const [segment = '', ...rest] = request.params['*'].split('/');
      const { name, extension } = splitExtension(segment);
      if (!isValidName(ns) || ns === DEFAULT_NAMESPACE || !isValidName(pkg) || !isValidName(name)) {
        throw new WhirlError('WHIRL_NOT_FOUND');
      }
      const path = rest.length > 0 ? `/${rest.join('/')}` : '';
      return serveWebAction(ctx, { namespace: ns, ...(pkg === 'default' ? {} : { pkg }), name, extension, path }, request, reply);
    },
  });
};

/** Web requests may carry any body: parsers of this scope hand it over as bytes. */
export function acceptRawBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}
