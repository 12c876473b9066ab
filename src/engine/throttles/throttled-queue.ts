import type { ActivationMessage, CompletionMessage } from '../../domain/activation-message.js';
import type {
  ActivationQueue,
  Consumer,
  ConsumeOptions,
  DeliveryHandler,
  PublishTarget,
  Subscription,
} from '../../ports/activation-queue.js';
import type { Logger } from '../../ports/logger.js';
import type { NamespaceThrottle } from './namespace-throttle.js';

/**
 * Admission control at the point where an activation is accepted: the API process's queue, wrapped.
 *
 * - `publish` of a top-level activation (no `cause`: not a step of a sequence or composition, which was admitted
 *   as a whole) first asks the throttle; a refusal is the 429 the caller sees, and nothing is queued.
 * - Concurrency slots are freed when the activation's completion reaches this process. Blocking invokes already
 *   ask for one; for non-blocking ones this wrapper sets `replyTo` to the process's completion channel (with
 *   `ackOnly`: the record is not needed), so every tracked activation reports back here.
 * - A slot whose completion never comes (a crashed API process) ends with its lease:
 *   max(timeout, 60 s) × 2 + 60 s, OpenWhisk's forced-completion bound.
 * Everything else passes straight through to the wrapped queue.
 */
export class ThrottledQueue implements ActivationQueue {
  private replyInstance: string | undefined;

  constructor(
    private readonly inner: ActivationQueue,
    private readonly throttle: NamespaceThrottle,
    private readonly logger: Logger,
  ) {}

  async publish(msg: ActivationMessage, target?: PublishTarget): Promise<void> {
    if (msg.cause !== undefined) return this.inner.publish(msg, target);
    const lease = Math.max(msg.action.limits.timeout, 60_000) * 2 + 60_000;
    await this.throttle.admitInvocation(msg.namespace, msg.activationId, lease);
    const tracked = this.throttle.tracksConcurrency(msg.namespace);
    const out =
      tracked && msg.replyTo === undefined && this.replyInstance ? { ...msg, replyTo: this.replyInstance, ackOnly: true } : msg;
    try {
      await this.inner.publish(out, target);
    } catch (e) {
      if (tracked) await this.release(msg.namespace, msg.activationId);
      throw e;
    }
  }

  async subscribeCompletions(instanceId: string, listener: (c: CompletionMessage) => void): Promise<Subscription> {
    this.replyInstance ??= instanceId;
    return this.inner.subscribeCompletions(instanceId, (c) => {
      if (c.cause === undefined) void this.release(c.namespace, c.activationId);
      listener(c);
    });
  }

  consume(handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    return this.inner.consume(handler, options);
  }

  publishCompletion(replyTo: string, completion: CompletionMessage): Promise<void> {
    return this.inner.publishCompletion(replyTo, completion);
  }

  depth(): Promise<number> {
    return this.inner.depth();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async release(namespace: string, activationId: string): Promise<void> {
    await this.throttle.release(namespace, activationId).catch((err: unknown) => {
      // The lease frees the slot later; a lost release only delays it.
      this.logger.warn({ err: String(err), namespace }, 'throttle slot release failed');
    });
  }
}
