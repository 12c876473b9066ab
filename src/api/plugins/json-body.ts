import type { FastifyInstance } from 'fastify';
import { WhirlError } from '../../errors/whirl-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Bytes of the request body as received (0 without a body): the invoke size check uses it. */
    bodyBytes: number;
  }
}

/**
 * JSON is the only body Whirl accepts (others: 415). Unlike fastify's default parser, an empty body is `{}`
 * (OpenWhisk `emptyEntityToJsObject`), and malformed JSON is WHIRL_INVALID_JSON.
 */
export function installJsonBody(app: FastifyInstance): void {
  app.decorateRequest('bodyBytes', 0);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const buf = body as Buffer;
    request.bodyBytes = buf.length;
    if (buf.length === 0) {
      done(null, {});
      return;
    }
    if (nestingDepth(buf) > MAX_JSON_DEPTH) {
      done(new WhirlError('WHIRL_INVALID_JSON', [`nesting deeper than ${MAX_JSON_DEPTH} levels`]), undefined);
      return;
    }
    try {
      done(null, JSON.parse(buf.toString('utf8')));
    } catch (e) {
      done(new WhirlError('WHIRL_INVALID_JSON', [(e as Error).message]), undefined);
    }
  });
}

/**
 * Deepest JSON nesting accepted (Jackson's default, which OpenWhisk's stack also enforces). Deeper documents parse,
 * but every later `JSON.stringify` (sizes, store, queue) overflows the stack: a 500 found by test/api/bad-input.
 */
export const MAX_JSON_DEPTH = 1000;

/** Maximum `[`/`{` nesting of a JSON text, ignoring brackets inside strings; one pass, no parsing. */
export function nestingDepth(buf: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
