import type { FastifyInstance } from 'fastify';

/**
 * Browsers answer a 401 carrying `WWW-Authenticate: Basic` with their own credentials prompt, even for `fetch()`
 * — and a headless browser simply hangs the request. Scripts that handle 401 themselves (the web console) mark
 * their requests `X-Requested-With: XMLHttpRequest`; for those the challenge header is dropped, as Spring Security
 * and Jenkins do. Every other client (wsk, the openwhisk npm package, curl) still gets the challenge.
 */
export function installScriptAuth(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 401 && request.headers['x-requested-with'] === 'XMLHttpRequest') {
      reply.removeHeader('www-authenticate');
    }
    return payload;
  });
}
