import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../ports/logger.js';
import type { Metrics } from '../../ports/metrics.js';

/**
 * Counts and times every answered request (by route pattern, so cardinality stays bounded; unmatched paths share
 * one label) and writes one structured log line per request at `debug` (at `info` the hot path would log every
 * invoke). Installed on the root instance so it covers every scope.
 */
export function installRequestMetrics(app: FastifyInstance, metrics: Metrics, logger: Logger): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const durationMs = reply.elapsedTime;
    metrics.httpRequest({ method: request.method, route, status: reply.statusCode, durationMs });
    logger.debug(
      { reqId: request.id, method: request.method, route, status: reply.statusCode, ms: Math.round(durationMs * 10) / 10 },
      'request',
    );
  });
}
