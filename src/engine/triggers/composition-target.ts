import type { Composition, CompositionDefinition } from '../../domain/composition.js';
import type { Identity } from '../../domain/identity.js';
import type { EntityRef } from '../../domain/trigger.js';
import type { EntityStore } from '../../ports/entity-store.js';
import type { InvokeOutcome } from '../invoke-service.js';
import type { RuleTargetKind } from './rule-targets.js';

/**
 * Compositions as rule targets: `PUT …/rules/r {"trigger": "t", "action": "/_/my-composition"}`. A rule names its
 * target as `action` in OpenWhisk's shape; a name that is both an action and a composition resolves to the action
 * (kinds are tried in order, actions first). The execution starts non-blocking with the trigger's arguments as
 * input and the trigger activation as `cause`.
 */
export function compositionTarget(deps: { entities: EntityStore; compositions: CompositionStarter }): RuleTargetKind {
  const find = async (identity: Identity, target: EntityRef) => {
    // Compositions live directly in a namespace (no packages), and rules only reach the caller's own.
    if (target.path !== identity.namespace) return undefined;
    return (await deps.entities.get<Composition>('compositions', target.path, target.name))?.doc;
  };
  return {
    exists: async (identity, target) => (await find(identity, target)) !== undefined,
    async start(req) {
      const composition = await find(req.identity, req.target);
      if (!composition) return undefined;
      const outcome = await deps.compositions.startExecution({
        identity: req.identity,
        kind: 'composition',
        name: composition.name,
        version: composition.version,
        definition: composition.definition,
        input: req.payload,
        blocking: false,
        waitMs: 0,
        recordAnnotations: [{ key: 'path', value: `${composition.namespace}/${composition.name}` }],
        cause: req.cause,
      });
      return { activationId: outcome.activationId };
    },
  };
}

/**
 * What this module needs of the composition engine (its `startExecution`), stated here so rules do not depend on
 * the engine's internals.
 */
export interface CompositionStarter {
  startExecution(req: {
    identity: Identity;
    kind: 'composition';
    name: string;
    version: string;
    definition: CompositionDefinition;
    input: unknown;
    blocking: boolean;
    waitMs: number;
    recordAnnotations?: Array<{ key: string; value: unknown }>;
    cause?: string;
  }): Promise<InvokeOutcome>;
}
