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
  /** API instance that waits for the completion; absent for non-blocking invokes. */
  replyTo?: string;
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
  record: ActivationRecord;
}
