import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../ports/metrics.js';

/**
 * `GET /metrics`: this process's metrics in the Prometheus text format. Unauthenticated, as Prometheus scrapes
 * are by convention; keep the port off the public network or filter the path at the proxy (docs/metrics.md).
 */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (scope, { metrics }) => {
  scope.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics of this process',
        tags: ['meta'],
        produces: ['text/plain'],
        response: { 200: { description: 'Prometheus text exposition format 0.0.4', type: 'string' } },
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()),
  );
};
