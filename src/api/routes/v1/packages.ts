import type { FastifyPluginAsync } from 'fastify';
import type { Action } from '../../../domain/action.js';
import { isTruthyAnnotation } from '../../../domain/key-value.js';
import { type Package, bindingOf, packagePath, packageSummary } from '../../../domain/package.js';
import { composePackage } from '../../../engine/packages/compose-package.js';
import { isSharedPackage } from '../../../engine/packages/resolve-action.js';
import { checkBinding, resolvePackage } from '../../../engine/packages/resolve-package.js';
import { pathNamespace } from '../../plugins/auth.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { ApiDeps } from '../../deps.js';
import { ListQueryProperties, MAX_LIST_LIMIT, listPage } from '../../list-page.js';
import { methodNotAllowed } from '../../method-not-allowed.js';
import { errorResponses } from '../../schemas/error-response.js';
import { type PackagePutBody, PackagePutSchema, PackageResponseSchema } from '../../schemas/package.js';

/**
 * `/namespaces/{ns}/packages…` (§1.3, §1.4; `C/Packages.scala`). Packages hold actions (stored under `ns/pkg`);
 * bindings point at a package of the caller's or a published one elsewhere. GET on a binding serves the bound
 * package's actions and the merged parameters (package < binding), as OpenWhisk's `mergePackageWithBinding`.
 */
interface NameParams {
  ns: string;
  name: string;
}

const nameParams = {
  type: 'object',
  required: ['ns', 'name'],
  properties: { ns: { type: 'string' }, name: { type: 'string' } },
} as const;

const entityResponse = { 200: PackageResponseSchema, ...errorResponses };

export const packageRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (scope, { deps }) => {
  const { entities, config, clock } = deps;

  scope.get<{ Querystring: { limit?: number; skip?: number; count?: boolean } }>(
    '/:ns/packages',
    { schema: { querystring: { type: 'object', properties: { ...ListQueryProperties, public: { type: 'boolean' } } } } },
    async (request) => {
      const { limit, skip, count } = request.query;
      const page = listPage(limit, skip, 'packages');
      const ns = pathNamespace(request);
      if (ns !== request.identity.namespace) {
        // Another namespace: its published packages only (`wsk package list /whisk.system`).
        const shared = (await listAll<Package>('packages', ns)).filter((p) => p.publish);
        if (count) return { packages: shared.length };
        return shared.slice(page.skip, page.skip + page.limit).map(packageSummary);
      }
      if (count) return { packages: await entities.count('packages', ns) };
      const list = await entities.list<Package>('packages', ns, page);
      return list.map(packageSummary);
    },
  );
  methodNotAllowed(scope, '/:ns/packages', ['GET']);

  scope.get<{ Params: NameParams }>(
    '/:ns/packages/:name',
    { schema: { params: nameParams, response: entityResponse } },
    async (request) => {
      const ns = pathNamespace(request);
      if (ns !== request.identity.namespace && !(await isSharedPackage(entities, ns, request.params.name))) {
        throw new WhirlError('WHIRL_FORBIDDEN');
      }
      const resolved = await resolvePackage(entities, ns, request.params.name);
      if (!resolved) {
        // A binding whose package vanished is still served (with no actions), so it can be inspected and deleted.
        const named = await entities.get<Package>('packages', ns, request.params.name);
        if (!named) throw new WhirlError('WHIRL_NOT_FOUND');
        return { ...named.doc, actions: [], feeds: [] };
      }
      const actions = await listAll<Action>('actions', resolved.actionsPath);
      const brief = (a: Action) => ({ name: a.name, version: a.version, annotations: a.annotations, parameters: a.parameters });
      return {
        ...resolved.named.doc,
        parameters: resolved.parameters,
        actions: actions.filter((a) => !isTruthyAnnotation(a.annotations, 'feed')).map(brief),
        feeds: actions.filter((a) => isTruthyAnnotation(a.annotations, 'feed')).map(brief),
      };
    },
  );

  scope.put<{ Params: NameParams; Querystring: { overwrite?: boolean }; Body: PackagePutBody | undefined }>(
    '/:ns/packages/:name',
    {
      schema: {
        params: nameParams,
        querystring: { type: 'object', properties: { overwrite: { type: 'boolean' } } },
        body: PackagePutSchema,
        response: entityResponse,
      },
    },
    async (request) => {
      const ns = request.identity.namespace;
      const { name } = request.params;
      const existing = await entities.get<Package>('packages', ns, name);
      if (existing && request.query.overwrite !== true) throw new WhirlError('WHIRL_CONFLICT');
      const pkg = composePackage({
        namespace: ns,
        name,
        body: request.body ?? {},
        ...(existing ? { existing: existing.doc } : {}),
        maxParameterBytes: config.limits.maxParameterBytes,
        now: clock.now(),
      });
      const binding = bindingOf(pkg);
      if (binding && request.body?.binding) {
        await checkBinding(entities, ns, binding, (ref) => deps.builtinFeeds?.hasPackage(ref.namespace, ref.name) ?? false);
      }
      const stored = await entities.put('packages', pkg, existing?.rev);
      return stored.doc;
    },
  );

  scope.delete<{ Params: NameParams; Querystring: { force?: boolean } }>(
    '/:ns/packages/:name',
    {
      schema: {
        params: nameParams,
        querystring: { type: 'object', properties: { force: { type: 'boolean' } } },
        response: entityResponse,
      },
    },
    async (request) => {
      const ns = request.identity.namespace;
      const { name } = request.params;
      const existing = await entities.get<Package>('packages', ns, name);
      if (!existing) throw new WhirlError('WHIRL_NOT_FOUND');
      if (!bindingOf(existing.doc)) {
        const path = packagePath(ns, name);
        const inside = await entities.count('actions', path);
        if (inside > 0 && request.query.force !== true) throw new WhirlError('WHIRL_PACKAGE_NOT_EMPTY', [inside]);
        for (const a of await listAll<Action>('actions', path)) {
          const found = await entities.get<Action>('actions', path, a.name);
          if (found) await entities.delete('actions', path, a.name, found.rev);
        }
      }
      await entities.delete('packages', ns, name, existing.rev);
      return existing.doc;
    },
  );
  methodNotAllowed(scope, '/:ns/packages/:name', ['GET', 'PUT', 'DELETE']);

  /** Every entity of a collection in a namespace (or `ns/pkg`), page by page. */
  async function listAll<T extends Action | Package>(collection: 'actions' | 'packages', path: string): Promise<T[]> {
    const out: T[] = [];
    for (let skip = 0; ; skip += MAX_LIST_LIMIT) {
      const page = await entities.list<T>(collection, path, { limit: MAX_LIST_LIMIT, skip });
      out.push(...page);
      if (page.length < MAX_LIST_LIMIT) return out;
    }
  }
};
