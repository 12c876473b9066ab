import type { ActivationMessage } from '../../domain/activation-message.js';
import { StatusCode, isRecord } from '../../domain/activation.js';
import type { Composition, CompositionDefinition, StepError } from '../../domain/composition.js';
import { isSequence } from '../../domain/exec.js';
import type { Identity } from '../../domain/identity.js';
import { type ActivationId, newTransactionId } from '../../domain/ids.js';
import { type QualifiedName, fullyQualified, parseQualifiedName } from '../../domain/names.js';
import type { Clock } from '../../ports/clock.js';
import type { EntityStore } from '../../ports/entity-store.js';
import type { ExecutionDoc } from '../../ports/execution-store.js';
import { buildActivationMessage } from '../activation-builder.js';
import { type ResolvedAction, resolveVisibleAction } from '../packages/resolve-action.js';
import type { PendingTask } from './exec-context.js';
import { sequenceDefinition } from './sequence-definition.js';

/**
 * How long a looked-up action is reused by later steps (ms). An updated action reaches running compositions within
 * this long, as the API's own action cache does for invokes.
 */
const ACTION_CACHE_MS = 1000;

/** What a task step becomes: an activation on the queue, a child execution, or an immediate failure. */
export type ResolvedStep =
  | { kind: 'activation'; msg: ActivationMessage }
  | { kind: 'child'; child: ChildExecution }
  | { kind: 'failed'; error: StepError };

export interface ChildExecution {
  kind: 'composition' | 'sequence';
  name: string;
  version: string;
  definition: CompositionDefinition;
  recordAnnotations: Array<{ key: string; value: unknown }>;
}

/**
 * Resolves a task step's target in the execution's namespace: an action becomes its queue message (cause = the
 * execution, `causedBy`, the idempotency key; a non-object input is boxed as `{value}` like conductor actions), a
 * sequence action or a composition becomes a child execution, anything missing a `NotFound` step error.
 */
export class StepResolver {
  private readonly actions = new Map<string, { value: ResolvedAction | undefined; until: number }>();

  constructor(private readonly deps: { entities: EntityStore; clock: Clock; instanceId: string }) {}

  async resolve(doc: ExecutionDoc, activationId: string, task: PendingTask): Promise<ResolvedStep> {
    const identity: Identity = { namespace: doc.namespace, subject: doc.subject, uuid: '' };
    if (task.target.composition !== undefined) {
      const found = await this.deps.entities.get<Composition>('compositions', doc.namespace, task.target.composition);
      if (!found) return notFound(`composition ${task.target.composition} does not exist`);
      const c = found.doc;
      const path = `${c.namespace}/${c.name}`;
      return {
        kind: 'child',
        child: { kind: 'composition', name: c.name, version: c.version, definition: c.definition, recordAnnotations: [{ key: 'path', value: path }] },
      };
    }
    const q = parseQualifiedName(task.target.action ?? '', doc.namespace);
    const found = q ? await this.action(doc.namespace, q) : undefined;
    if (!found) return notFound('Sequence component does not exist.');
    const action = found.action;
    if (isSequence(action.exec)) {
      return {
        kind: 'child',
        child: {
          kind: 'sequence',
          name: action.name,
          version: action.version,
          definition: sequenceDefinition(action.exec.components),
          recordAnnotations: [
            { key: 'path', value: `${action.namespace}/${action.name}` },
            { key: 'limits', value: action.limits },
          ],
        },
      };
    }
    const payload = isRecord(task.input) || Array.isArray(task.input) ? task.input : { value: task.input };
    const msg = buildActivationMessage(
      { identity, action, revision: found.revision, payload, blocking: true, waitMs: 0, transactionId: newTransactionId() },
      activationId as ActivationId,
      this.deps.clock.now(),
      this.deps.instanceId,
    );
    msg.cause = doc.id;
    msg.recordAnnotations = [{ key: 'causedBy', value: doc.kind }];
    msg.idempotencyKey = task.idempotencyKey;
    return { kind: 'activation', msg };
  }

  /**
   * Actions as the execution's namespace sees them (its own, through bindings, or in another namespace's published
   * package), kept briefly: a composition looks the same action up at every step.
   */
  private async action(callerNamespace: string, q: QualifiedName): Promise<ResolvedAction | undefined> {
    const key = `${callerNamespace} ${fullyQualified(q)}`;
    const now = this.deps.clock.now();
    const hit = this.actions.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = await resolveVisibleAction(this.deps.entities, callerNamespace, q);
    if (this.actions.size > 10_000) this.actions.clear();
    this.actions.set(key, { value, until: now + ACTION_CACHE_MS });
    return value;
  }
}

function notFound(cause: string): ResolvedStep {
  return { kind: 'failed', error: { name: 'NotFound', cause, statusCode: StatusCode.ApplicationError } };
}
