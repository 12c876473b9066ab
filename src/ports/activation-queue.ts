import type { ActivationMessage, CompletionMessage } from '../domain/activation-message.js';

/**
 * The durable hand-off of activations from API processes to invokers, and the way back for completions.
 *
 * Contract (test/contract/activation-queue.contract.ts):
 * - `publish` resolves only once the message is durably accepted (e.g. written to Redis); it rejects with
 *   WHIRL_QUEUE_UNAVAILABLE otherwise. Publishing the same activationId twice delivers it once.
 * - Every published message is delivered to one consumer's handler. A delivery whose handler has not resolved
 *   when its consumer dies is delivered again to a live consumer with `redelivered: true` (the invoker then
 *   writes a `whisk internal error` record instead of running it again: at-most-once execution, and every
 *   accepted activation still gets a record).
 * - A handler that rejects is logged by the adapter; the message is not redelivered.
 * - `publishCompletion(replyTo, c)` reaches the `subscribeCompletions(replyTo, …)` listener if it is live; it is
 *   best effort (the record is the durable truth).
 */
export interface ActivationQueue {
  /**
   * `target.invokerId` routes the message to that invoker's own queue (placement, issue "Invoker depth and
   * scale-out"); without it the message goes to the shared queue any invoker consumes. A targeted message is
   * delivered only to consumers started with that `invokerId`; it waits (durably, for durable adapters) until
   * one consumes, and a targeted delivery whose consumer dies is redelivered to the next consumer of that id.
   */
  publish(msg: ActivationMessage, target?: PublishTarget): Promise<void>;
  consume(handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer>;
  publishCompletion(replyTo: string, completion: CompletionMessage): Promise<void>;
  subscribeCompletions(instanceId: string, listener: (c: CompletionMessage) => void): Promise<Subscription>;
  /** Messages published and not yet finished by a consumer (for metrics and tests). */
  depth(): Promise<number>;
  close(): Promise<void>;
}

export interface PublishTarget {
  invokerId?: string;
}

export type DeliveryHandler = (msg: ActivationMessage, delivery: Delivery) => Promise<void>;

export interface Delivery {
  /** True when an earlier delivery of this message may have started running. */
  redelivered: boolean;
}

export interface ConsumeOptions {
  /** Invoker identity; deliveries for this invoker (issue 3 placement) and shared work. */
  invokerId: string;
  /** Deliveries in flight at once (across the invoker's own queue and the shared one). */
  concurrency: number;
  /**
   * Also take shared (untargeted) work; default true. False consumes only the messages targeted at `invokerId`:
   * a live invoker adopting a dead peer's queue uses it to finish what was placed there (issue 3).
   */
  shared?: boolean;
}

export interface Consumer {
  /** Stops taking new work, waits for in-flight handlers. */
  close(): Promise<void>;
}

export interface Subscription {
  close(): Promise<void>;
}
