import type { FastifyPluginAsync } from 'fastify';
import { type ApiDoc, type ApiRoute, parseApiRouteRequest } from '../../../domain/api-route.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import { ApiBook } from '../../apis/api-book.js';
import type { ApiDeps } from '../../deps.js';
import { methodNotAllowed } from '../../method-not-allowed.js';

/**
 * `/namespaces/{ns}/apis` (docs/api-routes.md), Whirl's own management calls (OpenWhisk's apimgmt protocol is
 * `src/api/routes/web/apimgmt.ts`, over the same documents):
 * - `PUT` `{basePath, relPath, operation, action, responseType?, apiName?}` adds (or replaces) one route; the
 *   action must be a web action of the caller's namespace. 200 the route with its `url`.
 * - `GET` `?basepath` lists routes (one entry per path and verb).
 * - `DELETE` `?basepath[&relpath[&operation]]` removes the base path, a path, or one verb; 404 when nothing matched.
 */
export const apiRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (scope, { deps }) => {
  const { config } = deps;
  const book = new ApiBook(deps);
  const url = (ns: string, doc: ApiDoc, r: ApiRoute) => `${config.http.apiHost}/apis/${ns}${doc.basePath}${r.relPath}`;
  const entry = (ns: string, doc: ApiDoc, r: ApiRoute) => ({
    apiName: doc.apiName,
    basePath: doc.basePath,
    ...r,
    url: url(ns, doc, r),
  });

  scope.put<{ Params: { ns: string } }>('/:ns/apis', async (request) => {
    const ns = request.identity.namespace;
    const { doc, route } = await book.add(ns, parseApiRouteRequest(request.body, ns));
    return entry(ns, doc, route);
  });

  scope.get<{ Params: { ns: string }; Querystring: { basepath?: string } }>('/:ns/apis', async (request) => {
    const ns = request.identity.namespace;
    const { basepath } = request.query;
    const docs = (await book.docs(ns, basepath)).filter((d) => basepath === undefined || d.basePath === `/${basepath.replace(/^\//, '')}`);
    return docs.flatMap((doc) => doc.routes.map((r) => entry(ns, doc, r)));
  });

  scope.delete<{ Params: { ns: string }; Querystring: { basepath?: string; relpath?: string; operation?: string } }>(
    '/:ns/apis',
    async (request) => {
      const ns = request.identity.namespace;
      const { basepath, relpath, operation } = request.query;
      if (!basepath) throw new WhirlError('WHIRL_BAD_REQUEST', ['basepath is required']);
      const { before, removed } = await book.remove(ns, basepath, relpath, operation);
      return removed.map((r) => entry(ns, before, r));
    },
  );
  methodNotAllowed(scope, '/:ns/apis', ['GET', 'PUT', 'DELETE']);
};
