import type { ActivationRecord } from '../domain/activation.js';
import { newActivationId } from '../domain/ids.js';
import { isConductorAction } from '../domain/action.js';
import { isSequence } from '../domain/exec.js';
import { WhirlError } from '../errors/whirl-error.js';
import type { ActivationMessage } from '../domain/activation-message.js';
import type { ActivationQueue, PublishTarget, Subscription } from '../ports/activation-queue.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { buildActivationMessage } from './activation-builder.js';
import type { InvokeOutcome, InvokeRequest, InvokeService } from './invoke-service.js';

/**
 * The API process's side of an activation: queue it, and for blocking calls wait for the completion that the
 * invoker publishes back to this instance (no store polling on the hot path).
 *
 * Invariant: a waiter is registered before the message is published, so a completion can never arrive unseen.
 */
export class Activator implements InvokeService {
  private readonly waiters = new Map<string, (record: ActivationRecord) => void>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly deps: {
      queue: ActivationQueue;
      /** Unique per API process: completions are addressed to it. */
      instanceId: string;
      clock: Clock;
      logger: Logger;
      /** Chooses the invoker (issue 3 placement); without it every activation goes to the shared queue. */
      placer?: {
        choose(namespace: string, action: string, memoryMB: number, activationId: string): string | undefined;
        /** Every completion reaching this process (placement frees the activation's memory). */
        completed(activationId: string): void;
      };
      /** Runs `exec.kind: "sequence"` and conductor actions (the composition engine). */
      sequences?: { invokeSequence(req: InvokeRequest): Promise<InvokeOutcome> };
    },
  ) {}

  async start(): Promise<void> {
    this.subscription = await this.deps.queue.subscribeCompletions(this.deps.instanceId, (c) => {
      this.deps.placer?.completed(c.activationId);
      if (c.record) this.waiters.get(c.activationId)?.(c.record);
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }

  async invoke(req: InvokeRequest): Promise<InvokeOutcome> {
    if (isSequence(req.action.exec) || isConductorAction(req.action)) {
      if (this.deps.sequences) return this.deps.sequences.invokeSequence(req);
      throw new WhirlError('WHIRL_BAD_REQUEST', ['Sequences run on the composition engine, which is not enabled.']);
    }
    const activationId = req.activationId ?? newActivationId();
    const msg = buildActivationMessage(
      req,
      activationId,
      this.deps.clock.now(),
      // With placement, every activation reports back: its completion frees its memory in the placer's view. A
      // non-blocking one needs no record for that (an acknowledgement: smaller, and batched by the queue).
      req.blocking || this.deps.placer ? this.deps.instanceId : undefined,
    );
    if (!req.blocking && msg.replyTo !== undefined) msg.ackOnly = true;
    const target = this.target(msg);
    if (!req.blocking) {
      await this.deps.queue.publish(msg, target);
      return { activationId };
    }
    let timer: { cancel(): void } | undefined;
    const completed = new Promise<ActivationRecord | undefined>((resolve) => {
      this.waiters.set(activationId, resolve);
      timer = this.deps.clock.setTimeout(() => resolve(undefined), req.waitMs);
    });
    try {
      await this.deps.queue.publish(msg, target);
      const record = await completed;
      return record ? { activationId, record } : { activationId };
    } finally {
      timer?.cancel();
      this.waiters.delete(activationId);
    }
  }

  private target(msg: ActivationMessage): PublishTarget | undefined {
    const action = `${msg.action.namespace}/${msg.action.name}`;
    const invokerId = this.deps.placer?.choose(msg.namespace, action, msg.action.limits.memory, msg.activationId);
    return invokerId === undefined ? undefined : { invokerId };
  }
}
