import type { ActivationRecord } from './activation.js';
import type { Exec } from './exec.js';
import type { ActivationId } from './ids.js';
import type { KeyValue } from './key-value.js';
import type { ActionLimits } from './limits.js';

/**
 * What travels on the queue from the API to an invoker: everything the invoker needs to run the activation
 * without reading the store (OpenWhisk's `ActivationMessage` plus the executable action).
 */
export interface ActivationMessage {
  activationId: ActivationId;
  transactionId: string;
  /** The invoking identity: records are filed under this namespace. */
  namespace: string;
  subject: string;
  action: {
    /** `ns` or `ns/pkg`, the action's own path. */
    namespace: string;
    name: string;
    version: string;
    /** Changes whenever the action document changes: warm containers are keyed by it. */
    revision: string;
    exec: Exec;
    limits: ActionLimits;
    annotations: KeyValue[];
    /** Parameters marked `init: true`, passed to `/init` as environment. */
    initEnv: Record<string, string>;
  };
  /** Merged parameters: action defaults < invocation body. */
  params: unknown;
  /** API instance that waits for the completion; absent when nothing there does. */
  replyTo?: string;
  /**
   * With `replyTo`: that process needs only to learn that the activation ended (placement frees its memory, a
   * throttle its slot), not its record, so the completion leaves the record out — OpenWhisk's completion message
   * as opposed to its result message. Non-blocking invokes ask for this.
   */
  ackOnly?: boolean;
  /** Epoch ms at which the API accepted the request (waitTime is measured from here). */
  acceptedAt: number;
  cause?: string;
  /** Extra annotations for the record (e.g. `causedBy`), set by compositions. */
  recordAnnotations?: KeyValue[];
  /** Key for at-most-once side effects of compositions' steps; readable by actions as `__OW_IDEMPOTENCY_KEY`. */
  idempotencyKey?: string;
}

/** Sent back to the API process named in `replyTo` as soon as the result is known (before logs are stored). */
export interface CompletionMessage {
  activationId: ActivationId;
  /** The invoking namespace (the message's `namespace`). */
  namespace: string;
  /** The message's `cause`: set for the steps of sequences and compositions and for rule-fired activations. */
  cause?: string;
  /** The record as known when the result came (logs follow in the stored one); absent when `ackOnly` was asked. */
  record?: ActivationRecord;
}

/** The completion of `msg` that its `replyTo` asked for. */
export function completionOf(msg: ActivationMessage, record: ActivationRecord): CompletionMessage {
  const completion: CompletionMessage = { activationId: msg.activationId, namespace: msg.namespace };
  if (msg.cause !== undefined) completion.cause = msg.cause;
  if (!msg.ackOnly) completion.record = record;
  return completion;
}
