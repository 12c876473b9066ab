import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { newTransactionId } from '../../domain/ids.js';
import type { ErrorCode } from '../../errors/codes.js';
import { WhirlError } from '../../errors/whirl-error.js';

/**
 * fastify's `clientErrorHandler`: what Node's HTTP parser refuses before any route sees the request (headers too
 * large, a body shorter than its `Content-Length`, bad chunking, `Content-Length` beside `Transfer-Encoding`, a
 * request that never finishes) is answered with OpenWhisk's `{error, code}` like every other error, `code` a fresh
 * transaction id (there is no request to take one from), and the connection is closed. Nothing is written once a
 * response has started on the socket (it would be read as the next response).
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, args] = whirlCode(err.code);
  const e = new WhirlError(code, args);
  if (socket.writable && socket.bytesWritten === 0) {
    const body = JSON.stringify({ error: e.message, code: newTransactionId() });
    socket.write(
      `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Content-Security-Policy: sandbox; default-src 'none'\r\n" +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

function whirlCode(code: string | undefined): [ErrorCode, string[]] {
  if (code === 'HPE_HEADER_OVERFLOW') return ['WHIRL_HEADERS_TOO_LARGE', []];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return ['WHIRL_REQUEST_TIMEOUT', []];
  return ['WHIRL_MALFORMED_REQUEST', [code ?? 'unknown']];
}
