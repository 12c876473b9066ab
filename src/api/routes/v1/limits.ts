import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../../deps.js';

const MB = 1024 * 1024;

/**
 * `GET /namespaces/{ns}/limits` (§1.5, `C/Limits.scala`): the namespace's throttles (0 = unlimited; see
 * docs/throttles.md) and the system's action limits (memory and logs in bytes, timeouts in ms, parameters in bytes).
 */
export const limitsRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (scope, { deps }) => {
  const { limits, throttles } = deps.config;
  scope.get('/:ns/limits', async (request) => {
    const ns = request.identity.namespace;
    const own = deps.throttle?.limits(ns) ?? {
      invocationsPerMinute: throttles.invocationsPerMinute,
      concurrentInvocations: throttles.concurrentInvocations,
      firesPerMinute: throttles.firesPerMinute,
      ...throttles.namespaces[ns],
    };
    return {
      ...own,
      minActionMemory: limits.memory.min * MB,
      maxActionMemory: limits.memory.max * MB,
      minActionLogs: limits.logs.min * MB,
      maxActionLogs: limits.logs.max * MB,
      minActionTimeout: limits.timeout.min,
      maxActionTimeout: limits.timeout.max,
      minActionConcurrency: limits.concurrency.min,
      maxActionConcurrency: limits.concurrency.max,
      maxParameterSize: limits.maxParameterBytes,
    };
  });
};
