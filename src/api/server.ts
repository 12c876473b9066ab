import Fastify, { type FastifyInstance } from 'fastify';
import { newTransactionId } from '../domain/ids.js';
import { MAX_NAME_LENGTH } from '../domain/names.js';
import { clientErrorHandler } from './plugins/client-errors.js';
import { ActionCache } from './action-cache.js';
import { rejectUnroutedMethods } from './method-not-allowed.js';
import { Authenticator } from './auth/authenticator.js';
import type { ApiDeps } from './deps.js';
import { installAuth } from './plugins/auth.js';
import { installErrorHandling, sendError } from './plugins/errors.js';
import { installJsonBody } from './plugins/json-body.js';
import { installOpenApi } from './plugins/openapi.js';
import { installOriginPolicy } from './plugins/origin-policy.js';
import { installRequestMetrics } from './plugins/request-metrics.js';
import { installScriptAuth } from './plugins/script-auth.js';
import { consoleRoutes } from './routes/console.js';
import { metricsRoutes } from './routes/metrics.js';
import { actionRoutes } from './routes/v1/actions.js';
import { activationRoutes } from './routes/v1/activations.js';
import { compositionRoutes } from './routes/v1/compositions.js';
import { infoRoutes, WHIRL_BUILD } from './routes/v1/info.js';
import { namespaceRoutes } from './routes/v1/namespaces.js';
import { apiRoutes } from './routes/v1/apis.js';
import { limitsRoutes } from './routes/v1/limits.js';
import { apiGatewayRoutes } from './routes/web/api-gateway.js';
import { apimgmtRoutes } from './routes/web/apimgmt.js';
import { webActionRoutes } from './routes/web/web-actions.js';
import { webhookRoutes } from './routes/webhooks/webhooks.js';
import { packageTriggerRuleRoutes } from './routes/v1/trigger-routes-plugin.js';
import { registerSchemas } from './schemas/register.js';
import { noMetrics } from '../ports/metrics.js';

/** Bytes allowed beyond the payload limit for the JSON envelope; the real check is on the merged parameters. */
const BODY_HEADROOM_BYTES = 16 * 1024;

/** A transaction id from the client is kept only if it is a plain token (it is echoed in headers and logs). */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A path parameter holds one name, percent-encoded (up to three characters per character of the name). */
const MAX_PARAM_LENGTH = 3 * MAX_NAME_LENGTH;

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, DELETE, POST, PUT, HEAD',
  'access-control-allow-headers': 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent',
} as const;

/**
 * The OpenWhisk-compatible REST API. Builds and wires; never listens (main.ts does, tests `inject`).
 */
/** Routes that may name another namespace: reads of its published packages and their actions, and invokes. */
const SHARED_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/v1/namespaces/:ns/packages',
  'GET /api/v1/namespaces/:ns/packages/:name',
  'GET /api/v1/namespaces/:ns/actions/:pkg/',
  'GET /api/v1/namespaces/:ns/actions/:pkg/:name',
  'POST /api/v1/namespaces/:ns/actions/:pkg/:name',
]);

export function buildServer(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: deps.config.limits.maxPayloadBytes + BODY_HEADROOM_BYTES,
    return503OnClosing: true,
    requestTimeout: 120_000,
    requestIdHeader: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    clientErrorHandler,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : newTransactionId();
    },
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id).headers(CORS_HEADERS);
      sendError(reply, request, 400, error.message);
    },
  });

  registerSchemas(app);
  // Before any route: the OpenAPI generator sees only routes declared after it (docs/openapi.md).
  installOpenApi(app, { version: WHIRL_BUILD, maxBlockingWaitMs: deps.config.limits.maxBlockingWaitMs });
  installJsonBody(app);
  installErrorHandling(app, deps.logger);
  installRequestMetrics(app, deps.metrics ?? noMetrics, deps.logger);
  installScriptAuth(app);
  installOriginPolicy(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id).headers(CORS_HEADERS);
  });
  rejectUnroutedMethods(app);
  app.options('*', async (_request, reply) => reply.code(200).send());

  const cache = new ActionCache(deps.entities, deps.clock);
  const authenticator = new Authenticator(deps.entities, deps.clock, {
    ttlMs: deps.config.auth.cacheTtlMs,
    failuresPerMinute: deps.config.auth.failuresPerMinute,
  });

  app.register(infoRoutes, { config: deps.config });
  app.register(metricsRoutes, { metrics: deps.metrics ?? noMetrics });
  app.register(consoleRoutes);
  // OpenWhisk's API gateway management web actions, answered by Whirl (docs/api-routes.md).
  app.register(apimgmtRoutes, { deps, authenticator, prefix: '/api/v1/web/whisk.system/apimgmt' });
  app.register(webActionRoutes, { deps, authenticator, prefix: '/api/v1/web' });
  app.register(apiGatewayRoutes, { deps, authenticator, prefix: '/apis' });
  if (deps.webhookInbox) {
    const webhooks = { deps, inbox: deps.webhookInbox, ...(deps.throttle ? { throttle: deps.throttle } : {}) };
    app.register(webhookRoutes, { ...webhooks, prefix: '/api/v1/webhooks' });
  }
  app.register(
    async (scope) => {
      // Other namespaces' published packages are shared, as in OpenWhisk: `wsk package list /whisk.system`, `wsk
      // package get /whisk.system/utils`, invoking `/whisk.system/utils/echo` or a built-in feed. These routes check
      // `publish` themselves (403 otherwise); every other route is the caller's own namespace only.
      installAuth(scope, authenticator, (request) => SHARED_ROUTES.has(`${request.method} ${request.routeOptions.url ?? ''}`));
      await scope.register(namespaceRoutes);
      await scope.register(actionRoutes, { deps, cache });
      await scope.register(activationRoutes, { deps });
      if (deps.compositions) await scope.register(compositionRoutes, { deps, engine: deps.compositions });
      await scope.register(packageTriggerRuleRoutes, { deps });
      await scope.register(apiRoutes, { deps });
      await scope.register(limitsRoutes, { deps });
    },
    { prefix: '/api/v1/namespaces' },
  );
  return app;
}
