import type { FastifyInstance, HTTPMethods } from 'fastify';
import { WhirlError } from '../errors/whirl-error.js';

const ALL: HTTPMethods[] = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'];

/**
 * Answers 405 for the methods a resource does not support. Without this, fastify answers an unknown method on a
 * known path with 404. OPTIONS is left to the CORS route.
 */
export function methodNotAllowed(scope: FastifyInstance, url: string, allowed: HTTPMethods[]): void {
  const implied = allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
  const method = ALL.filter((m) => !implied.includes(m));
  if (method.length === 0) return;
  scope.route({
    method,
    url,
    handler: async () => {
      throw new WhirlError('WHIRL_METHOD_NOT_ALLOWED');
    },
  });
}
