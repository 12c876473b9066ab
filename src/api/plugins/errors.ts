import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../errors/codes.js';
import { isWhirlError, WhirlError } from '../../errors/whirl-error.js';
import type { Logger } from '../../ports/logger.js';

/**
 * The one place errors become responses. Every error, whatever raised it (a WhirlError, fastify's body parser,
 * schema validation, routing), is answered with OpenWhisk's `{"error": message, "code": transactionId}`.
 * Unexpected errors become 500 `Internal server error.`; their stack goes to the log, never to the client.
 * Applied to the root instance so that every scope inherits it.
 */
export function installErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err: FastifyError | WhirlError | Error, request, reply) => {
    const { status, message } = describe(err, request);
    if (status >= 500 && !isWhirlError(err)) {
      logger.error({ err, reqId: request.id, method: request.method, url: request.url }, 'unhandled error');
    }
    if (status === 401) reply.header('www-authenticate', 'Basic realm="whirl"');
    sendError(reply, request, status, message);
  });

  app.setNotFoundHandler((request, reply) => {
    sendError(reply, request, 404, ErrorCodes.WHIRL_NOT_FOUND.message);
  });
}

export function sendError(reply: FastifyReply, request: FastifyRequest, status: number, message: string): void {
  reply.code(status).type('application/json').send({ error: message, code: String(request.id) });
}

function describe(err: unknown, request: FastifyRequest): { status: number; message: string } {
  if (isWhirlError(err)) return { status: err.status, message: err.message };
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = request.routeOptions.bodyLimit ?? 0;
      const length = request.headers['content-length'] ?? `>${limit}`;
      return whirl('WHIRL_ENTITY_TOO_LARGE', [length, limit]);
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return whirl('WHIRL_UNSUPPORTED_MEDIA_TYPE', [request.headers['content-type'] ?? '(none)']);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return whirl('WHIRL_INVALID_JSON', [fe.message ?? '']);
    case 'FST_ERR_VALIDATION':
      return whirl('WHIRL_BAD_REQUEST', [fe.message ?? 'invalid request']);
  }
  // Other client errors raised by fastify itself (bad content-length, …) are safe to describe.
  if (typeof fe.code === 'string' && fe.code.startsWith('FST_') && fe.statusCode && fe.statusCode < 500) {
    return { status: fe.statusCode, message: fe.message ?? 'Bad request.' };
  }
  if (fe.statusCode === 503) return whirl('WHIRL_UNAVAILABLE', ['closing']);
  return whirl('WHIRL_INTERNAL', []);
}

function whirl(code: keyof typeof ErrorCodes, args: ReadonlyArray<string | number>): { status: number; message: string } {
  const e = new WhirlError(code, args);
  return { status: e.status, message: e.message };
}
