import { isRecord } from './activation.js';
import { sameSecret } from './same-secret.js';
import { isTruthyAnnotation, kvGet, type KeyValue } from './key-value.js';

/**
 * Web actions (`C/WebActions.scala`): how an HTTP request becomes an action's arguments. Pure; the route
 * (src/api/routes/web) does the I/O.
 */
export const WEB_EXTENSIONS = ['.http', '.json', '.html', '.svg', '.text'] as const;
export type WebExtension = (typeof WEB_EXTENSIONS)[number];

/** `name.ext` → name and extension; a name without a known extension is `.http` (OpenWhisk does not enforce one). */
export function splitExtension(segment: string): { name: string; extension: WebExtension } {
  const extension = WEB_EXTENSIONS.find((e) => segment.endsWith(e));
  return extension ? { name: segment.slice(0, -extension.length), extension } : { name: segment, extension: '.http' };
}

/** The request's body as OpenWhisk classifies it. */
export type WebBody =
  | { kind: 'none' }
  /** A JSON body (JSON-family content type) or a form, parsed. */
  | { kind: 'json'; value: unknown }
  /** Any other textual body, as a string. */
  | { kind: 'text'; value: string }
  /** Binary bodies (and, for raw-http actions, JSON too, as OpenWhisk does for legacy reasons), base64. */
  | { kind: 'base64'; value: string };

export interface WebRequest {
  method: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The path after the action segment, e.g. `/a/b` (empty when none). */
  path: string;
  query: Record<string, string>;
  /** The query string as received, without `?`. */
  rawQuery: string;
  body: WebBody;
  /** The authenticated caller's namespace, when the request carried valid credentials. */
  user?: string;
}

export const RESERVED_WEB_PARAMS = ['__ow_method', '__ow_headers', '__ow_path', '__ow_user', '__ow_query', '__ow_body'];

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
const TEXT_TYPES = /^(?:text\/[\w.+-]+|application\/(?:xml|javascript|x-www-form-urlencoded|[\w.+-]+\+xml)|image\/svg\+xml)$/;

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isJsonFamily(type: string): boolean {
  return JSON_TYPE.test(type);
}

/** Binary media types are base64-encoded on the way in and base64-decoded on the way out. */
export function isBinaryMedia(type: string): boolean {
  return !isJsonFamily(type) && !TEXT_TYPES.test(type);
}

/**
 * Classifies a body (`extractEntityAndProcessRequest`): empty → none; JSON-family (not raw) → parsed (throws
 * SyntaxError if malformed); form (not raw) → its fields; binary types and `application/json` → base64; other
 * text → string.
 */
export function classifyBody(contentType: string | undefined, bytes: Buffer, raw: boolean): WebBody {
  if (bytes.length === 0) return { kind: 'none' };
  const type = mediaType(contentType);
  if (!raw && isJsonFamily(type)) return { kind: 'json', value: JSON.parse(bytes.toString('utf8')) as unknown };
  if (!raw && type === 'application/x-www-form-urlencoded') {
    return { kind: 'json', value: Object.fromEntries(new URLSearchParams(bytes.toString('utf8'))) };
  }
  if (isBinaryMedia(type) || type === 'application/json') return { kind: 'base64', value: bytes.toString('base64') };
  return { kind: 'text', value: bytes.toString('utf8') };
}

/**
 * Whether the request may run the action (`processRequest`): a non-raw request may not set a reserved `__ow_*`
 * property nor, for a `final` action, a parameter the action defines with a value.
 */
export function overridesProtected(req: WebRequest, raw: boolean, parameters: readonly KeyValue[], annotations: readonly KeyValue[]): boolean {
  if (raw) return false;
  const protectedKeys = new Set(RESERVED_WEB_PARAMS);
  if (isTruthyAnnotation(annotations, 'final')) {
    for (const p of parameters) if (p.value !== undefined && p.value !== null) protectedKeys.add(p.key);
  }
  const keys = [...Object.keys(req.query), ...(req.body.kind === 'json' && isRecord(req.body.value) ? Object.keys(req.body.value) : [])];
  return keys.some((k) => protectedKeys.has(k));
}

/**
 * The action's arguments (`Context.toActionArgument`), merged over its parameters by the engine:
 * `__ow_method` (lower case), `__ow_headers`, `__ow_path`, `__ow_user` (when authenticated), then query
 * parameters, then the body's fields (a JSON object) or `__ow_body` (anything else). Raw-http actions get the
 * query string as `__ow_query` and the body, always, as `__ow_body` (`""` when empty).
 */
export function webActionArgs(req: WebRequest, raw: boolean): Record<string, unknown> {
  const args: Record<string, unknown> = {
    __ow_method: req.method.toLowerCase(),
    __ow_headers: req.headers,
    __ow_path: req.path,
  };
  if (req.user !== undefined) args.__ow_user = req.user;
  if (raw) {
    args.__ow_query = req.rawQuery;
    args.__ow_body = req.body.kind === 'none' ? '' : req.body.value;
    return args;
  }
  Object.assign(args, req.query);
  if (req.body.kind === 'json' && isRecord(req.body.value)) Object.assign(args, req.body.value);
  else if (req.body.kind !== 'none') args.__ow_body = req.body.value;
  return args;
}

/**
 * `require-whisk-auth` (`confirmAuthenticated`): absent → allowed; a string or number → the request's
 * `X-Require-Whisk-Auth` header must equal it (compared in constant time); `true` → the request must carry valid credentials; anything else
 * refuses every request.
 */
export function webAuthAllowed(annotations: readonly KeyValue[], headers: Record<string, string>, authenticated: boolean): boolean {
  const required = kvGet(annotations, 'require-whisk-auth');
  if (required === undefined || required === false) return true;
  if (typeof required === 'string' || typeof required === 'number') {
    const given = headers['x-require-whisk-auth'];
    return given !== undefined && sameSecret(given, String(required));
  }
  if (required === true) return authenticated;
  return false;
}
