import { type ActivationRecord, StatusCode } from '../../domain/activation.js';
import { createHash } from 'node:crypto';
import { type ActivationId, newActivationId, newTransactionId, parseActivationId } from '../../domain/ids.js';
import type { Identity } from '../../domain/identity.js';
import { kvToObject } from '../../domain/key-value.js';
import { refPath } from '../../domain/rule.js';
import { type Trigger, activeRules, ruleLogLine } from '../../domain/trigger.js';
import { isWhirlError, WhirlError } from '../../errors/whirl-error.js';
import type { ActivationStore } from '../../ports/activation-store.js';
import type { Clock } from '../../ports/clock.js';
import type { EntityStore } from '../../ports/entity-store.js';
import type { Logger } from '../../ports/logger.js';
import type { RuleTargets } from './rule-targets.js';

/**
 * Firing a trigger (`C/Triggers.scala` activate), shared by every source of events: `POST …/triggers/{name}`,
 * webhooks, schedules, and message feeds.
 *
 * - No active rule → `{noActiveRules: true}` and no record (the API answers 204).
 * - Otherwise every active rule's target is started (non-blocking, `cause` = the trigger activation) with the
 *   trigger's parameters merged under the payload, and a trigger activation is stored whose `response.result` is
 *   that merged payload and whose `logs` hold one JSON line per rule (its activation id, or `error`). A rule that
 *   fails does not stop the others. The record is stored before this resolves, so a 202 answer is always readable.
 * - `headers` (HTTP fires) reach the actions as `__ow_headers`, lower-cased, minus `authorization` and `cookie`:
 *   the caller's credentials are never handed to actions.
 */
export interface TriggerFiringDeps {
  entities: EntityStore;
  activations: ActivationStore;
  targets: RuleTargets;
  clock: Clock;
  logger: Logger;
}

export type FireOutcome = { activationId: ActivationId } | { noActiveRules: true };

export async function fireTrigger(
  deps: TriggerFiringDeps,
  identity: Identity,
  triggerName: string,
  payload: Record<string, unknown> | undefined,
  headers?: Record<string, string | string[] | undefined>,
  options: { transactionId?: string; activationId?: ActivationId } = {},
): Promise<FireOutcome> {
  const found = await deps.entities.get<Trigger>('triggers', identity.namespace, triggerName);
  if (!found) throw new WhirlError('WHIRL_NOT_FOUND');
  const trigger = found.doc;
  const rules = activeRules(trigger);
  if (rules.length === 0) return { noActiveRules: true };

  // A fixed trigger activation id (a webhook delivery's) fixes its rules' activation ids too, so firing the same
  // delivery again after a crash stores the same records and publishes the same activations: the queue runs each once.
  const activationId = options.activationId ?? newActivationId();
  const fixed = options.activationId !== undefined;
  const transactionId = options.transactionId ?? newTransactionId();
  const start = deps.clock.now();
  const args: Record<string, unknown> = { ...kvToObject(trigger.parameters), ...(payload ?? {}) };
  const actionArgs = headers ? { ...args, __ow_headers: forwardedHeaders(headers) } : args;

  const logs = await Promise.all(
    rules.map(async ([rule, { action }]) => {
      const actionPath = refPath(action);
      try {
        const started = await deps.targets.start({
          identity,
          target: action,
          payload: actionArgs,
          cause: activationId,
          transactionId,
          ...(fixed ? { activationId: derivedActivationId(activationId, rule) } : {}),
        });
        return ruleLogLine({ statusCode: 0, activationId: started.activationId, rule, action: actionPath });
      } catch (err) {
        if (!isWhirlError(err)) deps.logger.error({ err: String(err), rule }, 'rule activation failed');
        const error = isWhirlError(err) ? err.message : 'Internal server error.';
        const statusCode = isWhirlError(err) && err.status < 500 ? StatusCode.ApplicationError : StatusCode.WhiskError;
        return ruleLogLine({ statusCode, rule, action: actionPath, error });
      }
    }),
  );

  const end = deps.clock.now();
  const record: ActivationRecord = {
    namespace: identity.namespace,
    name: trigger.name,
    version: trigger.version,
    subject: identity.subject,
    activationId,
    start,
    end,
    duration: end - start,
    response: { statusCode: StatusCode.Success, result: args },
    logs,
    annotations: [],
    publish: false,
  };
  await deps.activations.putBatch([record]);
  return { activationId };
}

const PRIVATE_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** The request headers actions may see: lower-cased, without the caller's credentials. */
export function forwardedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    if (v === undefined || PRIVATE_HEADERS.has(key)) continue;
    out[key] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** The activation id of `rule`'s target when its trigger activation is `triggerActivation`: 32 hex, stable. */
function derivedActivationId(triggerActivation: ActivationId, rule: string): ActivationId {
  return parseActivationId(createHash('sha256').update(`${triggerActivation}/${rule}`).digest('hex').slice(0, 32))!;
}
