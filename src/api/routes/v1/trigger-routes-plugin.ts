import type { FastifyPluginAsync } from 'fastify';
import type { TriggerFiringDeps } from '../../../engine/triggers/fire-trigger.js';
import { RuleTargets, actionTarget } from '../../../engine/triggers/rule-targets.js';
import type { ApiDeps } from '../../deps.js';
import { packageRoutes } from './packages.js';
import { ruleRoutes } from './rules.js';
import { triggerRoutes } from './triggers.js';

/**
 * Packages, triggers and rules, registered together because they share the rule-target resolution and the trigger
 * firing service. Without `deps.ruleTargets` (tests on a bare API) rules target actions only.
 */
export const packageTriggerRuleRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (scope, { deps }) => {
  const targets = deps.ruleTargets ?? new RuleTargets([actionTarget({ entities: deps.entities, engine: deps.engine })]);
  const firing: TriggerFiringDeps = {
    entities: deps.entities,
    activations: deps.activations,
    targets,
    clock: deps.clock,
    logger: deps.logger,
  };
  await scope.register(packageRoutes, { deps });
  await scope.register(triggerRoutes, { deps, firing, ...(deps.triggerHooks ? { hooks: deps.triggerHooks } : {}) });
  await scope.register(ruleRoutes, { deps, targets });
};
