import type { FastifyInstance } from 'fastify';
import { MAX_JSON_DEPTH, nestingDepth } from '../../domain/json-depth.js';
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
