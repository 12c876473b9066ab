import { WhirlError } from '../errors/whirl-error.js';
import { isRecord } from './activation.js';
import { parseQualifiedName, type QualifiedName } from './names.js';
import { WEB_EXTENSIONS } from './web-action.js';

/**
 * API routes (the role of `wsk api create`): base path + relative path + HTTP verb → a web action, served at
 * `/apis/{namespace}{basePath}{relPath}` (docs/api-routes.md). All routes of one base path live in one document.
 * Pure.
 */
export const HTTP_VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpVerb = (typeof HTTP_VERBS)[number];
export type ResponseType = 'http' | 'json' | 'html' | 'svg' | 'text';

export interface ApiRoute {
  relPath: string;
  operation: HttpVerb;
  /** `/ns/[pkg/]action`, fully qualified. */
  action: string;
  responseType: ResponseType;
}

/** One document per (namespace, base path); `name` is the base path without its leading slash. */
export interface ApiDoc {
  namespace: string;
  name: string;
  apiName: string;
  basePath: string;
  routes: ApiRoute[];
  updated: number;
}

/** A base path is one segment (`/hello`); a relative path is `/`-separated segments, `{param}` for a variable. */
const BASE_PATH = /^\/[\w.~-]{1,128}$/;
const REL_PATH = /^(?:\/(?:[\w.~-]+|\{[A-Za-z_]\w*\}))+\/?$|^\/$/;

export interface ApiRouteRequest {
  basePath: string;
  relPath: string;
  operation: HttpVerb;
  action: QualifiedName;
  responseType: ResponseType;
  apiName: string;
}

/** Validates a `PUT …/apis` body; throws 400 WHIRL_BAD_REQUEST naming the first bad field. */
export function parseApiRouteRequest(body: unknown, namespace: string): ApiRouteRequest {
  if (!isRecord(body)) throw bad('the body must be an object');
  const { basePath, relPath, operation, action, responseType, apiName } = body;
  if (typeof basePath !== 'string' || !BASE_PATH.test(basePath)) throw bad('basePath must be one path segment, e.g. /hello');
  if (typeof relPath !== 'string' || !REL_PATH.test(relPath)) throw bad('relPath must be a path, e.g. /books/{isbn}');
  const verb = typeof operation === 'string' ? operation.toUpperCase() : '';
  if (!(HTTP_VERBS as readonly string[]).includes(verb)) throw bad(`operation must be one of ${HTTP_VERBS.join(', ')}`);
  const qualified = typeof action === 'string' ? parseQualifiedName(action, namespace) : undefined;
  if (!qualified) throw bad('action must be an action name, e.g. hello or /ns/pkg/hello');
  const type = responseType ?? 'json';
  if (typeof type !== 'string' || !WEB_EXTENSIONS.includes(`.${type}` as (typeof WEB_EXTENSIONS)[number])) {
    throw bad('responseType must be one of http, json, html, svg, text');
  }
  if (apiName !== undefined && (typeof apiName !== 'string' || apiName.length > 256)) throw bad('apiName must be a string');
  return {
    basePath,
    relPath,
    operation: verb as HttpVerb,
    action: qualified,
    responseType: type as ResponseType,
    apiName: apiName ?? basePath,
  };
}

/** The document with `route` added, replacing a route of the same path and verb. */
export function withRoute(doc: ApiDoc, route: ApiRoute): ApiDoc {
  const routes = doc.routes.filter((r) => !(r.relPath === route.relPath && r.operation === route.operation));
  return { ...doc, routes: [...routes, route] };
}

/** Routes kept and removed by a delete of `relPath` (all when absent) and `operation` (all when absent). */
export function withoutRoutes(doc: ApiDoc, relPath?: string, operation?: string): { kept: ApiRoute[]; removed: ApiRoute[] } {
  const hit = (r: ApiRoute) => (relPath === undefined || r.relPath === relPath) && (operation === undefined || r.operation === operation.toUpperCase());
  return { kept: doc.routes.filter((r) => !hit(r)), removed: doc.routes.filter(hit) };
}

/**
 * The route for a request: `path` is what follows the base path (e.g. `/books/123`). Literal segments must match,
 * `{param}` segments capture. Literal routes win over parameterised ones.
 */
export function matchRoute(doc: ApiDoc, method: string, path: string): { route: ApiRoute; params: Record<string, string> } | undefined {
  const want = segments(path);
  const candidates = doc.routes
    .filter((r) => r.operation === method.toUpperCase())
    .map((route) => ({ route, params: matchSegments(segments(route.relPath), want) }))
    .filter((c): c is { route: ApiRoute; params: Record<string, string> } => c.params !== undefined);
  candidates.sort((a, b) => Object.keys(a.params).length - Object.keys(b.params).length);
  return candidates[0];
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = actual[i]!;
    if (p.startsWith('{')) params[p.slice(1, -1)] = a;
    else if (p !== a) return undefined;
  }
  return params;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function bad(why: string): WhirlError {
  return new WhirlError('WHIRL_BAD_REQUEST', [why]);
}
