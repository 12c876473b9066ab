import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * One origin, two kinds of page (docs/isolation.md, "Console keys"). The console and every tenant's web actions are
 * served from the same host and port, so the browser would put them in one origin: a web action page could read the
 * console's `sessionStorage`, frame it, or script the console window that opened it. This hook makes the console the
 * only document that runs in that origin:
 *
 * - every response outside `/console` carries `Content-Security-Policy: sandbox …` without `allow-same-origin`, so a
 *   page rendered from it (a web action's HTML, an API route, an error body) runs in an opaque origin: no storage,
 *   no cookies, no access to any same-origin window or frame. Web actions and API routes keep scripts, forms,
 *   popups, modals and downloads; other API answers are data and get no allowance at all. The policy is added
 *   beside any policy an action sets (browsers enforce every policy they are given), never replaced by it;
 * - the console answers with `Cross-Origin-Opener-Policy: same-origin` (a page it opens gets no `window.opener`,
 *   and a page that opens it gets none either), `frame-ancestors 'none'` (nothing frames it) and its script policy.
 *
 * Applied by matched route, not by URL text, so no spelling of a path turns a tenant's page into a console page.
 */
export function installOriginPolicy(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (isConsole(request)) reply.headers(CONSOLE_HEADERS);
    else addPolicy(reply, isWebPage(request) ? WEB_PAGE_POLICY : DATA_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
}

/** Web action and API route pages: scripts run, but in an opaque origin and never at the top of another window. */
export const WEB_PAGE_POLICY = 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads';
/** API answers are data: nothing runs if a browser renders one as a page. */
export const DATA_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'";

/** The console talks only to this origin; no inline scripts; nothing frames it. */
const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const CONSOLE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

function isConsole(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route === '/console' || route === '/console/*';
}

function isWebPage(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? '';
  return route.startsWith('/api/v1/web/') || route.startsWith('/apis/');
}

function addPolicy(reply: FastifyReply, policy: string): void {
  const given = reply.getHeader('content-security-policy');
  const existing = given === undefined ? [] : Array.isArray(given) ? given.map(String) : [String(given)];
  reply.header('content-security-policy', existing.length === 0 ? policy : [...existing, policy]);
}
