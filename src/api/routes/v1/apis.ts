import type { FastifyPluginAsync } from 'fastify';
import { type ApiDoc, type ApiRoute, parseApiRouteRequest, withoutRoutes, withRoute } from '../../../domain/api-route.js';
import { isTruthyAnnotation } from '../../../domain/key-value.js';
import { fullyQualified } from '../../../domain/names.js';
import { resolveAction } from '../../../engine/packages/resolve-action.js';
import { isWhirlError, WhirlError } from '../../../errors/whirl-error.js';
import type { Collection, EntityStore, Stored } from '../../../ports/entity-store.js';
import type { ApiDeps } from '../../deps.js';
import { methodNotAllowed } from '../../method-not-allowed.js';

/**
 * API routes are stored as entities of their own collection. `Collection` does not list `apis` yet (the stores
 * accept any collection name); the cast is confined to this constant.
 */
export const API_COLLECTION = 'apis' as Collection;

/** Attempts at a read-modify-write of one base path's document before a concurrent writer's 409 is reported. */
const ATTEMPTS = 5;

/**
 * `/namespaces/{ns}/apis` (docs/api-routes.md), the role of `wsk api create|list|delete`:
 * - `PUT` `{basePath, relPath, operation, action, responseType?, apiName?}` adds (or replaces) one route; the
 *   action must be a web action of the caller's namespace. 200 the route with its `url`.
 * - `GET` `?basepath` lists routes (one entry per path and verb).
 * - `DELETE` `?basepath[&relpath[&operation]]` removes the base path, a path, or one verb; 404 when nothing matched.
 */
export const apiRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (scope, { deps }) => {
  const { entities, clock, config } = deps;
  const url = (ns: string, doc: ApiDoc, r: ApiRoute) => `${config.http.apiHost}/apis/${ns}${doc.basePath}${r.relPath}`;
  const entry = (ns: string, doc: ApiDoc, r: ApiRoute) => ({
    apiName: doc.apiName,
    basePath: doc.basePath,
    ...r,
    url: url(ns, doc, r),
  });

  scope.put<{ Params: { ns: string } }>('/:ns/apis', async (request) => {
    const ns = request.identity.namespace;
    const req = parseApiRouteRequest(request.body, ns);
    if (req.action.namespace !== ns) throw new WhirlError('WHIRL_FORBIDDEN');
    const resolved = await resolveAction(entities, req.action);
    if (!resolved) throw new WhirlError('WHIRL_NOT_FOUND');
    const action = fullyQualified(req.action);
    if (!isTruthyAnnotation(resolved.action.annotations, 'web-export')) throw new WhirlError('WHIRL_API_NOT_WEB_ACTION', [action]);
    const route: ApiRoute = { relPath: req.relPath, operation: req.operation, action, responseType: req.responseType };
    const doc = await update(entities, ns, req.basePath, (existing) =>
      withRoute(
        existing ?? { namespace: ns, name: req.basePath.slice(1), apiName: req.apiName, basePath: req.basePath, routes: [], updated: 0 },
        route,
      ),
      clock.now(),
    );
    return entry(ns, doc!, route);
  });

  scope.get<{ Params: { ns: string }; Querystring: { basepath?: string } }>('/:ns/apis', async (request) => {
    const ns = request.identity.namespace;
    const { basepath } = request.query;
    const docs = basepath
      ? [(await entities.get<ApiDoc>(API_COLLECTION, ns, basepath.replace(/^\//, '')))?.doc].filter((d): d is ApiDoc => !!d)
      : await entities.list<ApiDoc>(API_COLLECTION, ns, { limit: 200, skip: 0 });
    return docs.flatMap((doc) => doc.routes.map((r) => entry(ns, doc, r)));
  });

  scope.delete<{ Params: { ns: string }; Querystring: { basepath?: string; relpath?: string; operation?: string } }>(
    '/:ns/apis',
    async (request) => {
      const ns = request.identity.namespace;
      const { basepath, relpath, operation } = request.query;
      if (!basepath) throw new WhirlError('WHIRL_BAD_REQUEST', ['basepath is required']);
      let removed: ApiRoute[] = [];
      let before: ApiDoc | undefined;
      await update(entities, ns, `/${basepath.replace(/^\//, '')}`, (existing) => {
        if (!existing) return undefined;
        const split = withoutRoutes(existing, relpath, operation);
        removed = split.removed;
        before = existing;
        return removed.length === 0 ? existing : { ...existing, routes: split.kept };
      }, clock.now());
      if (!before || removed.length === 0) throw new WhirlError('WHIRL_NOT_FOUND');
      const doc = before;
      return removed.map((r) => entry(ns, doc, r));
    },
  );
  methodNotAllowed(scope, '/:ns/apis', ['GET', 'PUT', 'DELETE']);
};

/**
 * Read-modify-write of one base path's document, retried on concurrent modification. `change` returning
 * undefined writes nothing; a document left without routes is deleted.
 */
async function update(
  entities: EntityStore,
  ns: string,
  basePath: string,
  change: (existing: ApiDoc | undefined) => ApiDoc | undefined,
  now: number,
): Promise<ApiDoc | undefined> {
  const name = basePath.slice(1);
  for (let attempt = 1; ; attempt++) {
    const stored: Stored<ApiDoc> | undefined = await entities.get<ApiDoc>(API_COLLECTION, ns, name);
    const next = change(stored?.doc);
    if (!next || next === stored?.doc) return next;
    try {
      if (next.routes.length === 0) {
        if (stored) await entities.delete(API_COLLECTION, ns, name, stored.rev);
        return next;
      }
      return (await entities.put<ApiDoc>(API_COLLECTION, { ...next, updated: now }, stored?.rev)).doc;
    } catch (e) {
      const raced = isWhirlError(e, 'WHIRL_CONCURRENT_MODIFICATION') || isWhirlError(e, 'WHIRL_CONFLICT') || isWhirlError(e, 'WHIRL_NOT_FOUND');
      if (!raced || attempt >= ATTEMPTS) throw e;
    }
  }
}
