import type { ActivationId } from '../../domain/ids.js';
import type { Identity } from '../../domain/identity.js';
import type { EntityRef } from '../../domain/trigger.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { EntityStore } from '../../ports/entity-store.js';
import type { InvokeService } from '../invoke-service.js';
import { checkFinalParameters, resolveAction } from '../packages/resolve-action.js';

/** What a fired rule asks its target to start. */
export interface RuleTargetRequest {
  identity: Identity;
  target: EntityRef;
  /** Trigger parameters merged with the fire payload (and `__ow_headers` for HTTP fires). */
  payload: Record<string, unknown>;
  /** The trigger activation: the started activation's `cause`. */
  cause: ActivationId;
  transactionId: string;
  /** Fixed activation id (InvokeRequest.activationId): a repeated fire starts the same activation. */
  activationId?: ActivationId;
}

/**
 * One kind of rule target (actions now; compositions once their engine exists). `start` returns undefined when the
 * target is not of its kind (or does not exist), so the next kind may try; it throws when the target is its kind
 * but could not be started.
 */
export interface RuleTargetKind {
  /** Whether the target exists as this kind, for the caller (rule create refuses unknown targets). */
  exists(identity: Identity, target: EntityRef): Promise<boolean>;
  start(req: RuleTargetRequest): Promise<{ activationId: string } | undefined>;
}

/**
 * The pluggable resolution of a rule's target. Kinds are tried in order; adding compositions is one more kind in
 * the composition root (`new RuleTargets([actionTarget(...), compositionTarget(...)])`).
 */
export class RuleTargets {
  constructor(private readonly kinds: readonly RuleTargetKind[]) {}

  /** Starts the target; WHIRL_NOT_FOUND when no kind knows it. */
  async start(req: RuleTargetRequest): Promise<{ activationId: string }> {
    for (const kind of this.kinds) {
      const started = await kind.start(req);
      if (started) return started;
    }
    throw new WhirlError('WHIRL_NOT_FOUND');
  }

  async exists(identity: Identity, target: EntityRef): Promise<boolean> {
    for (const kind of this.kinds) if (await kind.exists(identity, target)) return true;
    return false;
  }
}

/** Splits a ref path `ns` or `ns/pkg`. */
export function splitRefPath(path: string): { namespace: string; pkg?: string } {
  const i = path.indexOf('/');
  return i < 0 ? { namespace: path } : { namespace: path.slice(0, i), pkg: path.slice(i + 1) };
}

/**
 * Actions (plain or packaged, through bindings too), invoked non-blocking as the trigger's owner. Rules only
 * reach actions of the rule's own namespace (or through its bindings), as entitlement is per namespace.
 */
export function actionTarget(deps: { entities: EntityStore; engine: InvokeService }): RuleTargetKind {
  const resolve = (identity: Identity, target: EntityRef) => {
    const { namespace, pkg } = splitRefPath(target.path);
    if (namespace !== identity.namespace) return Promise.resolve(undefined);
    return resolveAction(deps.entities, { namespace, ...(pkg ? { pkg } : {}), name: target.name });
  };
  return {
    exists: async (identity, target) => (await resolve(identity, target)) !== undefined,
    async start(req) {
      const resolved = await resolve(req.identity, req.target);
      if (!resolved) return undefined;
      checkFinalParameters(resolved.action, req.payload);
      const outcome = await deps.engine.invoke({
        identity: req.identity,
        action: resolved.action,
        revision: resolved.revision,
        payload: req.payload,
        blocking: false,
        waitMs: 0,
        transactionId: req.transactionId,
        cause: req.cause,
        ...(req.activationId ? { activationId: req.activationId } : {}),
      });
      return { activationId: outcome.activationId };
    },
  };
}
