import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../../config/config.js';
import { methodNotAllowed } from '../../method-not-allowed.js';

/** Unauthenticated info and health endpoints (§1.2). */
export const WHIRL_BUILD = '0.1.0';

const MB = 1024 * 1024;

export const infoRoutes: FastifyPluginAsync<{ config: Config }> = async (scope, { config }) => {
  const { limits } = config;
  // Computed once: the config does not change while the server runs.
  const root = {
    description: 'Whirl (OpenWhisk-compatible)',
    support: { github: 'https://github.com/apache/openwhisk/issues' },
    api_paths: ['/api/v1'],
    limits: {
      sequence_length: limits.sequenceMaxLength,
      min_action_duration: limits.timeout.min,
      max_action_duration: limits.timeout.max,
      min_action_memory: limits.memory.min * MB,
      max_action_memory: limits.memory.max * MB,
      min_action_logs: limits.logs.min * MB,
      max_action_logs: limits.logs.max * MB,
      default_min_action_duration: limits.timeout.min,
      default_max_action_duration: limits.timeout.max,
      default_min_action_memory: limits.memory.min * MB,
      default_max_action_memory: limits.memory.max * MB,
      default_min_action_logs: limits.logs.min * MB,
      default_max_action_logs: limits.logs.max * MB,
    },
    // OpenWhisk's runtimes manifest (`ExecManifest.Runtimes.toJson`): per family, every kind with its image.
    runtimes: Object.fromEntries(
      config.runtimes.map((m) => [
        m.family,
        m.kinds.map((k) => ({
          kind: k.kind,
          image: k.image,
          deprecated: false,
          default: k.default === true,
          attached: false,
          requireMain: false,
        })),
      ]),
    ),
  };
  const v1 = {
    description: 'OpenWhisk API',
    api_version: '1.0.0',
    api_version_path: 'v1',
    build: WHIRL_BUILD,
    buildno: WHIRL_BUILD,
  };

  scope.get('/', async () => root);
  methodNotAllowed(scope, '/', ['GET']);
  scope.get('/api/v1', async () => v1);
  methodNotAllowed(scope, '/api/v1', ['GET']);
  const ping = { produces: ['text/plain'], response: { 200: { description: 'pong', type: 'string' } } };
  scope.get('/ping', { schema: ping }, async (_request, reply) => reply.type('text/plain').send('pong'));
};
