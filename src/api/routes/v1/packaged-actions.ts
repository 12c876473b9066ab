import type { FastifyPluginAsync } from 'fastify';
import { type Action, actionSummary } from '../../../domain/action.js';
import { isSequence } from '../../../domain/exec.js';
import type { Identity } from '../../../domain/identity.js';
import { isValidName } from '../../../domain/names.js';
import { type Package, bindingOf, packagePath } from '../../../domain/package.js';
import { isSharedPackage, resolveAction } from '../../../engine/packages/resolve-action.js';
import { resolvePackage } from '../../../engine/packages/resolve-package.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { ActionCache } from '../../action-cache.js';
import { checkSequence } from '../../actions/check-sequence.js';
import { composeAction, hostProcessesOnly } from '../../actions/compose-action.js';
import { invokeBuiltinFeed } from '../../actions/invoke-feed.js';
import { type InvokeQuery, invokeAction } from '../../actions/invoke.js';
import type { ApiDeps } from '../../deps.js';
import { ListQueryProperties, listPage } from '../../list-page.js';
import { methodNotAllowed } from '../../method-not-allowed.js';
import { pathNamespace } from '../../plugins/auth.js';
import type { ActionPutBody } from '../../schemas/action.js';
import { errorResponses } from '../../schemas/error-response.js';

/**
 * Actions inside packages: `…/actions/{pkg}/{name}` and the listing `…/actions/{pkg}/` (`C/Actions.scala`).
 * Packaged actions are stored with namespace `ns/pkg`. Reads and invokes go through bindings (parameters merged
 * package < binding < action); writes through a binding are refused (400), and a missing package is 404.
 */
interface PkgParams {
  ns: string;
  pkg: string;
}
interface PkgNameParams extends PkgParams {
  name: string;
}

const pkgParams = {
  type: 'object',
  required: ['ns', 'pkg'],
  properties: { ns: { type: 'string' }, pkg: { type: 'string' } },
} as const;
const pkgNameParams = {
  type: 'object',
  required: ['ns', 'pkg', 'name'],
  properties: { ns: { type: 'string' }, pkg: { type: 'string' }, name: { type: 'string' } },
} as const;

/** Room for the JSON envelope around code and parameters in a PUT body (as for plain actions). */
const ENVELOPE_BYTES = 64 * 1024;

export const packagedActionRoutes: FastifyPluginAsync<{ deps: ApiDeps; cache: ActionCache }> = async (
  scope,
  { deps, cache },
) => {
  const { entities, config, clock } = deps;

  scope.get<{ Params: PkgParams; Querystring: { limit?: number; skip?: number; count?: boolean } }>(
    '/:ns/actions/:pkg/',
    { schema: { params: pkgParams, querystring: { type: 'object', properties: ListQueryProperties } } },
    async (request) => {
      const { limit, skip, count } = request.query;
      const page = listPage(limit, skip, 'actions');
      const ns = await readableNamespace(request);
      const pkg = await resolvePackage(entities, ns, request.params.pkg);
      if (!pkg) throw new WhirlError('WHIRL_NOT_FOUND');
      if (count) return { actions: await entities.count('actions', pkg.actionsPath) };
      return (await entities.list<Action>('actions', pkg.actionsPath, page)).map(actionSummary);
    },
  );
  methodNotAllowed(scope, '/:ns/actions/:pkg/', ['GET']);

  scope.get<{ Params: PkgNameParams; Querystring: { code?: boolean } }>(
    '/:ns/actions/:pkg/:name',
    {
      schema: {
        params: pkgNameParams,
        querystring: { type: 'object', properties: { code: { type: 'boolean' } } },
        response: { 200: { $ref: 'Action#' }, ...errorResponses },
      },
    },
    async (request) => {
      const { pkg, name } = request.params;
      const resolved = await resolveAction(entities, { namespace: await readableNamespace(request), pkg, name });
      if (!resolved) throw new WhirlError('WHIRL_NOT_FOUND');
      const action = resolved.action;
      if (request.query.code === false && 'code' in action.exec) {
        const { code: _code, ...exec } = action.exec;
        return { ...action, exec };
      }
      return action;
    },
  );

  scope.put<{ Params: PkgNameParams; Querystring: { overwrite?: boolean }; Body: ActionPutBody | undefined }>(
    '/:ns/actions/:pkg/:name',
    {
      bodyLimit: config.limits.maxCodeBytes + config.limits.maxParameterBytes + ENVELOPE_BYTES,
      schema: {
        params: pkgNameParams,
        querystring: { type: 'object', properties: { overwrite: { type: 'boolean' } } },
        body: { $ref: 'ActionPut#' },
        response: { 200: { $ref: 'Action#' }, ...errorResponses },
      },
    },
    async (request) => {
      const ns = request.identity.namespace;
      const { pkg, name } = request.params;
      if (!isValidName(name)) throw new WhirlError('WHIRL_INVALID_NAME', [name]);
      const path = await writablePackage(ns, pkg);
      const existing = await entities.get<Action>('actions', path, name);
      if (existing && request.query.overwrite !== true) throw new WhirlError('WHIRL_CONFLICT');
      // Composed in the namespace so relative sequence components resolve there, then filed under the package.
      const composed = composeAction({
        namespace: ns,
        name,
        body: request.body ?? {},
        ...(existing ? { existing: existing.doc } : {}),
        limits: config.limits,
        runtimes: config.runtimes,
        hostProcessesOnly: hostProcessesOnly(config),
        now: clock.now(),
      });
      const action: Action = { ...composed, namespace: path };
      if (isSequence(action.exec) && request.body?.exec) {
        await checkSequence(entities, { namespace: ns, name: `${pkg}/${name}` }, action.exec, config.limits.sequenceMaxLength);
      }
      const stored = await entities.put('actions', action, existing?.rev);
      cache.invalidate(path, name);
      return stored.doc;
    },
  );

  scope.delete<{ Params: PkgNameParams }>(
    '/:ns/actions/:pkg/:name',
    { schema: { params: pkgNameParams, response: { 200: { $ref: 'Action#' }, ...errorResponses } } },
    async (request) => {
      const ns = request.identity.namespace;
      const { pkg, name } = request.params;
      const path = await writablePackage(ns, pkg);
      const existing = await entities.get<Action>('actions', path, name);
      if (!existing) throw new WhirlError('WHIRL_NOT_FOUND');
      await entities.delete('actions', path, name, existing.rev);
      cache.invalidate(path, name);
      return existing.doc;
    },
  );

  scope.post<{ Params: PkgNameParams; Querystring: InvokeQuery }>(
    '/:ns/actions/:pkg/:name',
    {
      schema: {
        params: pkgNameParams,
        querystring: {
          type: 'object',
          properties: { blocking: { type: 'boolean' }, result: { type: 'boolean' }, timeout: { type: 'integer' } },
        },
      },
    },
    async (request, reply) => {
      const call = {
        identity: request.identity,
        pathNamespace: request.params.ns,
        pkg: request.params.pkg,
        name: request.params.name,
      };
      const answer = (await invokeBuiltinFeed(deps, { ...call, body: request.body, query: request.query })) ??
        (await invokeAction(deps, cache, {
        identity: request.identity,
        namespace: await readableNamespace(request),
        pkg: request.params.pkg,
        name: request.params.name,
        query: request.query,
        body: request.body,
        bodyBytes: request.bodyBytes,
        transactionId: String(request.id),
      }));
      return reply.code(answer.status).header('x-openwhisk-activation-id', answer.activationId).send(answer.body);
    },
  );
  methodNotAllowed(scope, '/:ns/actions/:pkg/:name', ['GET', 'PUT', 'DELETE', 'POST']);

  /**
   * The namespace named in the URL, once the package it names is known to be readable there: the caller's own, or
   * a published package of another namespace (403 otherwise).
   */
  async function readableNamespace(request: { identity: Identity; params: PkgParams }): Promise<string> {
    const ns = pathNamespace(request);
    if (ns !== request.identity.namespace && !(await isSharedPackage(entities, ns, request.params.pkg))) {
      throw new WhirlError('WHIRL_FORBIDDEN');
    }
    return ns;
  }

  /** The store path of a package the caller may write actions into: it exists and is not a binding. */
  async function writablePackage(ns: string, pkg: string): Promise<string> {
    const found = await entities.get<Package>('packages', ns, pkg);
    if (!found) throw new WhirlError('WHIRL_NOT_FOUND');
    if (bindingOf(found.doc)) throw new WhirlError('WHIRL_BINDING_OPERATION');
    return packagePath(ns, pkg);
  }
};
