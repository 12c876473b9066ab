import { isConductorAction } from '../../domain/action.js';
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
import { type ResolvedAction, isSharedPackage, resolveVisibleAction } from '../packages/resolve-action.js';
import type { PendingTask } from './exec-context.js';
import { actionExecution } from './start-request.js';

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
    const dynamic = 'dynamic' in task.target;
    const raw = dynamic ? task.target.dynamic : task.target.action;
    const q = typeof raw === 'string' ? parseQualifiedName(raw, doc.namespace) : undefined;
    if (dynamic && !q) return notFound(`Failed to parse action name from json value ${JSON.stringify(raw)} during composition.`);
    if (dynamic && q && q.namespace !== doc.namespace && !(q.pkg && (await isSharedPackage(this.deps.entities, q.namespace, q.pkg)))) {
      return notFound(`Failed entitlement check for action with name '${fullyQualified(q).slice(1)}' during composition.`);
    }
    const found = q ? await this.action(doc.namespace, q) : undefined;
    if (!found) {
      return notFound(dynamic && q ? `Failed to resolve action with name '${fullyQualified(q).slice(1)}' during composition.` : 'Sequence component does not exist.');
    }
    const action = found.action;
    // A conductor's own step runs it as a plain action; named anywhere else, a conductor runs as a composition.
    const ownStep = !dynamic && doc.recordAnnotations.some((a) => a.key === 'conductor' && a.value === true);
    if (isSequence(action.exec) || (isConductorAction(action) && !ownStep)) {
      return { kind: 'child', child: { kind: 'sequence', ...actionExecution(action) } };
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
