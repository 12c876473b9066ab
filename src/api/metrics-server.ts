import Fastify, { type FastifyInstance } from 'fastify';
import type { Metrics } from '../ports/metrics.js';
import { metricsRoutes } from './routes/metrics.js';

/**
 * A bare `/metrics` endpoint for invoker-only processes, which serve no API but own the container pool whose state
 * Prometheus should see (`WHIRL_METRICS_PORT`). Never listens by itself.
 */
export function buildMetricsServer(metrics: Metrics): FastifyInstance {
  const app = Fastify({ logger: false });
  app.register(metricsRoutes, { metrics });
  return app;
}
