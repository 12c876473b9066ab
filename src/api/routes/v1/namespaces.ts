import type { FastifyPluginAsync } from 'fastify';
import { methodNotAllowed } from '../../method-not-allowed.js';
import { errorResponses } from '../../schemas/error-response.js';

/** `GET /namespaces`: exactly the caller's namespace (`C/Namespaces.scala`). */
export const namespaceRoutes: FastifyPluginAsync = async (scope) => {
  scope.get(
    '/',
    { schema: { response: { 200: { type: 'array', items: { type: 'string' } }, ...errorResponses } } },
    async (request) => [request.identity.namespace],
  );
  methodNotAllowed(scope, '/', ['GET']);
};
