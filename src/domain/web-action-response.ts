import { isRecord } from './activation.js';
import { isBinaryCode } from './exec.js';
import { WhirlError } from '../errors/whirl-error.js';
import { isBinaryMedia, isJsonFamily, mediaType, type WebExtension } from './web-action.js';

/** An HTTP response to send for a web action (`WhiskWebActionsApi` transcoders). Pure. */
export interface WebResponse {
  status: number;
  /** Without `content-type`, which travels in `contentType`. Repeated names are repeated headers. */
  headers: Array<[string, string]>;
  contentType?: string;
  body?: string | Buffer;
}

/** Transcodes a successful result (or an error's `error` value) for the requested extension. */
export function transcodeResult(extension: WebExtension, result: unknown): WebResponse {
  switch (extension) {
    case '.http':
      return asHttp(result);
    case '.json':
      if (typeof result === 'object' && result !== null) return ok('application/json', JSON.stringify(result));
      throw new WhirlError('WHIRL_WEB_INVALID_MEDIA', ['application/json']);
    case '.html':
      return asMarkup(result, 'html', 'text/html; charset=UTF-8', 'text/html');
    case '.svg':
      return asMarkup(result, 'svg', 'image/svg+xml', 'image/svg+xml');
    case '.text':
      return asText(result);
  }
}

function ok(contentType: string, body: string | Buffer): WebResponse {
  return { status: 200, headers: [], contentType, body };
}

function asMarkup(result: unknown, field: string, contentType: string, media: string): WebResponse {
  const value = isRecord(result) ? (result.body ?? result[field]) : result;
  if (typeof value === 'string') return ok(contentType, value);
  throw new WhirlError('WHIRL_WEB_INVALID_MEDIA', [media]);
}

function asText(result: unknown): WebResponse {
  const value = isRecord(result) ? (result.body ?? result.text) : result;
  if (value === undefined) throw new WhirlError('WHIRL_WEB_PROPERTY_NOT_FOUND');
  const text = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value, null, 2) : String(value);
  return ok('text/plain; charset=UTF-8', text);
}

/**
 * `.http` (`resultAsHttp`): `{headers, statusCode, body}`. No body (or `""`/null) → empty, status default 204;
 * a string body → sent as is with the header's content type (default `text/html`), base64-decoded for binary
 * types (and for JSON types when it looks like base64, OpenWhisk's legacy rule); any other JSON body → JSON,
 * allowed only with a JSON-family content type (default `application/json`). Framing and hop-by-hop headers are
 * dropped; a header name or value that is not valid HTTP is the action's fault, answered 502.
 */
function asHttp(result: unknown): WebResponse {
  if (!isRecord(result)) throw invalidHttp();
  const headers = httpHeaders(result.headers);
  const status = statusCode(result.statusCode);
  const typeHeader = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const others = headers.filter(([k]) => k.toLowerCase() !== 'content-type');
  const body = result.body;
  if (body === undefined || body === null || body === '') return { status: status ?? 204, headers: others };

  if (typeof body === 'string') {
    const contentType = typeHeader ?? 'text/html';
    const type = mediaType(contentType);
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(type)) throw new WhirlError('WHIRL_WEB_UNKNOWN_CONTENT_TYPE');
    const decode = isBinaryMedia(type) || (isJsonFamily(type) && isBinaryCode(body));
    if (decode && !isBinaryCode(body)) throw new WhirlError('WHIRL_WEB_CONTENT_TYPE_MISMATCH');
    const withCharset = decode || /charset=/i.test(contentType) ? contentType : `${contentType}; charset=UTF-8`;
    return { status: status ?? 200, headers: others, contentType: withCharset, body: decode ? Buffer.from(body, 'base64') : body };
  }

  const contentType = typeHeader ?? 'application/json';
  const type = mediaType(contentType);
  if (!isJsonFamily(type)) throw new WhirlError('WHIRL_WEB_CONTENT_TYPE_MISMATCH');
  const text = type === 'application/json' ? JSON.stringify(body) : JSON.stringify(body, null, 2);
  return { status: status ?? 200, headers: others, contentType: type, body: text };
}

function httpHeaders(raw: unknown): Array<[string, string]> {
  if (raw === undefined) return [];
  if (!isRecord(raw)) throw invalidHttp();
  const out: Array<[string, string]> = [];
  const add = (k: string, v: unknown): void => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push([k, String(v)]);
    else if (Array.isArray(v)) for (const inner of v) add(k, inner);
    else throw invalidHttp();
  };
  for (const [k, v] of Object.entries(raw)) add(k, v);
  for (const [k, v] of out) {
    if (!HEADER_NAME.test(k) || !HEADER_VALUE.test(v)) throw new WhirlError('WHIRL_WEB_INVALID_HEADER', [JSON.stringify(k.slice(0, 64))]);
  }
  return out.filter(([k]) => !isConnectionHeader(k));
}

/** RFC 9110 `token`, and a field value without CR, LF, NUL or other controls (what Node's http would throw on). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Framing and hop-by-hop headers describe one connection, which is Whirl's to frame: an action's
 * `Transfer-Encoding` beside Whirl's `Content-Length` is a request-smuggling ambiguity for any proxy in front.
 */
const CONNECTION_HEADERS = new Set(['transfer-encoding', 'content-length', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer']);

function isConnectionHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return CONNECTION_HEADERS.has(lower) || lower.startsWith('proxy-');
}

function statusCode(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 100 || n > 599) throw invalidHttp();
  return n;
}

function invalidHttp(): WhirlError {
  return new WhirlError('WHIRL_WEB_INVALID_MEDIA', ['message/http']);
}
