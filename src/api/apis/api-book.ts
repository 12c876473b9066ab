import { type ApiDoc, type ApiRoute, type ApiRouteRequest, withoutRoutes, withRoute } from '../../domain/api-route.js';
import { isTruthyAnnotation } from '../../domain/key-value.js';
import { fullyQualified } from '../../domain/names.js';
import { resolveAction } from '../../engine/packages/resolve-action.js';
import { isWhirlError, WhirlError } from '../../errors/whirl-error.js';
import type { Clock } from '../../ports/clock.js';
import type { Collection, EntityStore, Stored } from '../../ports/entity-store.js';

/**
 * API routes are stored as entities of their own collection. `Collection` does not list `apis` yet (the stores
 * accept any collection name); the cast is confined to this constant.
 */
export const API_COLLECTION = 'apis' as Collection;

/** Attempts at a read-modify-write of one base path's document before a concurrent writer's 409 is reported. */
const ATTEMPTS = 5;

/**
 * The API routes of each namespace, one document per base path: what both management protocols (Whirl's
 * `…/namespaces/{ns}/apis` and OpenWhisk's apimgmt web actions) read and write.
 */
export class ApiBook {
  constructor(private readonly deps: { entities: EntityStore; clock: Clock }) {}

  /** Checks the route's action (the caller's, a web action) and adds the route, replacing one of the same path and verb. */
  async add(ns: string, req: ApiRouteRequest): Promise<{ doc: ApiDoc; route: ApiRoute }> {
    const route = await this.checked(ns, req);
    const doc = await this.update(ns, req.basePath, (existing) =>
      withRoute(existing ?? emptyDoc(ns, req.basePath, req.apiName), route),
    );
    return { doc: doc!, route };
  }

  /** Replaces a base path's routes with `reqs` (a Swagger upload): every action is checked before anything is written. */
  async replace(ns: string, basePath: string, apiName: string, reqs: readonly ApiRouteRequest[]): Promise<ApiDoc> {
    const routes: ApiRoute[] = [];
    for (const req of reqs) routes.push(await this.checked(ns, req));
    if (routes.length === 0) throw new WhirlError('WHIRL_BAD_REQUEST', ['the API has no operations']);
    const doc = await this.update(ns, basePath, () => routes.reduce(withRoute, emptyDoc(ns, basePath, apiName)));
    return doc!;
  }

  /** The namespace's documents; `basePathOrName` selects one base path (`/lib` or `lib`) or an API name. */
  async docs(ns: string, basePathOrName?: string): Promise<ApiDoc[]> {
    const all = await this.deps.entities.list<ApiDoc>(API_COLLECTION, ns, { limit: 200, skip: 0 });
    if (basePathOrName === undefined) return all;
    const base = `/${basePathOrName.replace(/^\//, '')}`;
    return all.filter((d) => d.basePath === base || d.apiName === basePathOrName);
  }

  /** Removes a base path, a path, or one verb; 404 when nothing matched. Returns the document before and the routes removed. */
  async remove(ns: string, basePath: string, relPath?: string, operation?: string): Promise<{ before: ApiDoc; removed: ApiRoute[] }> {
    let removed: ApiRoute[] = [];
    let before: ApiDoc | undefined;
    await this.update(ns, `/${basePath.replace(/^\//, '')}`, (existing) => {
      if (!existing) return undefined;
      const split = withoutRoutes(existing, relPath, operation);
      removed = split.removed;
      before = existing;
      return removed.length === 0 ? existing : { ...existing, routes: split.kept };
    });
    if (!before || removed.length === 0) throw new WhirlError('WHIRL_NOT_FOUND');
    return { before, removed };
  }

  private async checked(ns: string, req: ApiRouteRequest): Promise<ApiRoute> {
    if (req.action.namespace !== ns) throw new WhirlError('WHIRL_FORBIDDEN');
    const resolved = await resolveAction(this.deps.entities, req.action);
    if (!resolved) throw new WhirlError('WHIRL_NOT_FOUND');
    const action = fullyQualified(req.action);
    if (!isTruthyAnnotation(resolved.action.annotations, 'web-export')) throw new WhirlError('WHIRL_API_NOT_WEB_ACTION', [action]);
    return { relPath: req.relPath, operation: req.operation, action, responseType: req.responseType };
  }

  /**
   * Read-modify-write of one base path's document, retried on concurrent modification. `change` returning
   * undefined writes nothing; a document left without routes is deleted.
   */
  private async update(ns: string, basePath: string, change: (existing: ApiDoc | undefined) => ApiDoc | undefined): Promise<ApiDoc | undefined> {
    const { entities, clock } = this.deps;
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
        return (await entities.put<ApiDoc>(API_COLLECTION, { ...next, updated: clock.now() }, stored?.rev)).doc;
      } catch (e) {
        const raced = isWhirlError(e, 'WHIRL_CONCURRENT_MODIFICATION') || isWhirlError(e, 'WHIRL_CONFLICT') || isWhirlError(e, 'WHIRL_NOT_FOUND');
        if (!raced || attempt >= ATTEMPTS) throw e;
      }
    }
  }
}

function emptyDoc(ns: string, basePath: string, apiName: string): ApiDoc {
  return { namespace: ns, name: basePath.slice(1), apiName, basePath, routes: [], updated: 0 };
}
