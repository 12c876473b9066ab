import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { WhirlError } from '../../errors/whirl-error.js';

/** `console/` at the repository (or package) root: plain files, no build step. */
const CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * The web console (docs/console.md): static files under `/console/`, read from disk on each request (they are few
 * and small, and editing them needs no restart). Paths that leave the console directory, and unknown files, are 404.
 * Not part of the OpenAPI document (`hide`): these are assets, not API. Their security headers (script policy, opener
 * policy, no framing) are set by `installOriginPolicy` (src/api/plugins/origin-policy.ts).
 */
export const consoleRoutes: FastifyPluginAsync<{ dir?: string }> = async (scope, options) => {
  const root = resolve(options.dir ?? CONSOLE_DIR);
  scope.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  scope.get<{ Params: { '*': string } }>('/console/*', { schema: { hide: true } }, async (request, reply) => {
    const wanted = request.params['*'] || 'index.html';
    const file = resolve(root, wanted);
    if (!file.startsWith(root + sep)) throw new WhirlError('WHIRL_NOT_FOUND');
    const type = TYPES[extname(file)];
    if (!type) throw new WhirlError('WHIRL_NOT_FOUND');
    const body = await readFile(file).catch(() => {
      throw new WhirlError('WHIRL_NOT_FOUND');
    });
    return reply.type(type).header('cache-control', 'no-cache').send(body);
  });
};
