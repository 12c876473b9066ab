import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Identity } from '../../domain/identity.js';
import { DEFAULT_NAMESPACE } from '../../domain/names.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { Authenticator } from '../auth/authenticator.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set for every route in an authenticated scope. */
    identity: Identity;
  }
}

/**
 * Authenticates every request of the scope it is installed in (before the body is read, so unauthenticated
 * uploads are refused cheaply), then entitles the `{ns}` path parameter: `_` and the caller's own namespace pass;
 * another namespace passes only where `sharedPath` says the request reaches something shared (invoking a built-in
 * feed of `/whisk.system`), and is 403 WHIRL_FORBIDDEN otherwise (see docs/api.md).
 * Installed into the current scope (not as an encapsulated plugin) so its hook covers the sibling route plugins.
 */
export function installAuth(
  scope: FastifyInstance,
  authenticator: Authenticator,
  sharedPath: (request: FastifyRequest) => boolean = () => false,
): void {
  scope.decorateRequest('identity', null as unknown as Identity);
  scope.addHook('onRequest', async (request) => {
    request.identity = await authenticator.authenticate(request.headers.authorization, request.ip);
    const ns = (request.params as { ns?: string } | undefined)?.ns;
    if (ns !== undefined && ns !== DEFAULT_NAMESPACE && ns !== request.identity.namespace && !sharedPath(request)) {
      throw new WhirlError('WHIRL_FORBIDDEN');
    }
  });
}

/**
 * The namespace a request names: `_` is the caller's own. Only routes that `installAuth` lets through as shared
 * can see another namespace here; they must check what they serve from it is shared.
 */
export function pathNamespace(request: { identity: Identity; params: unknown }): string {
  const ns = (request.params as { ns?: string } | undefined)?.ns;
  return ns === undefined || ns === DEFAULT_NAMESPACE ? request.identity.namespace : ns;
}
