import type { Action } from '../domain/action.js';
import type { ActivationRecord } from '../domain/activation.js';
import type { ActivationId } from '../domain/ids.js';
import type { Identity } from '../domain/identity.js';

/**
 * What the API asks of the engine: start one activation of an action (already looked up and entitled) and,
 * for blocking calls, wait for its completion.
 *
 * Contract:
 * - Resolves as soon as the activation is durably queued (non-blocking) or completed (blocking); a blocking wait
 *   that outlasts `waitMs` resolves with no `record` (the API then answers 202).
 * - Rejects with WHIRL_QUEUE_UNAVAILABLE when the activation could not be queued: nothing was accepted.
 */
export interface InvokeService {
  invoke(request: InvokeRequest): Promise<InvokeOutcome>;
}

export interface InvokeRequest {
  identity: Identity;
  action: Action;
  /** The stored revision: warm containers are keyed by it. */
  revision: string;
  /** The request body (object or array), before merging with the action's parameters. */
  payload: unknown;
  blocking: boolean;
  /** Longest blocking wait (ms). */
  waitMs: number;
  transactionId: string;
  cause?: string;
  /**
   * The activation id to use instead of a new one: a caller that may repeat the same request after a crash (a
   * webhook delivery fired again) derives it, so the repeat is the same activation and the queue runs it once.
   */
  activationId?: ActivationId;
}

export interface InvokeOutcome {
  activationId: ActivationId;
  record?: ActivationRecord;
}
