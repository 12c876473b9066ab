import type { ActivationMessage, CompletionMessage } from '../../../domain/activation-message.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type {
  ActivationQueue,
  ConsumeOptions,
  DeliveryHandler,
  PublishTarget,
  Subscription,
} from '../../../ports/activation-queue.js';
import type { Logger } from '../../../ports/logger.js';
import { Fifo } from './fifo.js';
import { MemoryConsumer, type PendingDelivery } from './memory-consumer.js';

/**
 * The embedded default: one process, no durability (a process crash loses everything it holds, which is also
 * everything that would have run it). Messages are passed by reference, never copied: publishers and handlers
 * must treat them as immutable.
 *
 * Delivery: FIFO across all consumers; a message is handed to the next consumer (round robin) with a free slot.
 * A message placed on an invoker (`publish(msg, {invokerId})`) waits in that invoker's own FIFO and goes only to
 * consumers of that id; targeted work is handed out before shared work.
 * Dispatch runs in a microtask, so a publish never runs a handler synchronously and no timer is involved.
 * Idempotency holds while the message is pending or in flight (as BullMQ with `removeOnComplete`).
 */
export class MemoryActivationQueue implements ActivationQueue {
  private readonly pending = new Fifo<PendingDelivery>();
  /** Per-invoker FIFOs of placed messages; removed when empty. */
  private readonly targeted = new Map<string, Fifo<PendingDelivery>>();
  /** activationIds pending or in flight: the de-duplication window. */
  private readonly known = new Set<string>();
  private readonly consumers: MemoryConsumer[] = [];
  private readonly listeners = new Map<string, Set<(c: CompletionMessage) => void>>();
  private readonly logger: Logger;
  private nextConsumer = 0;
  private drainScheduled = false;
  private closed = false;

  constructor(options: { logger: Logger }) {
    this.logger = options.logger;
  }

  async publish(msg: ActivationMessage, target?: PublishTarget): Promise<void> {
    this.enqueue(msg, target, false);
  }

  /**
   * Queues `msg` as `publish` does, marked `redelivered` when an earlier delivery may have started (the on-disk
   * queue restores its journal through this after a restart).
   */
  enqueue(msg: ActivationMessage, target: PublishTarget | undefined, redelivered: boolean): void {
    if (this.closed) throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', ['queue is closed']);
    if (this.known.has(msg.activationId)) return;
    this.known.add(msg.activationId);
    const invokerId = target?.invokerId;
    if (invokerId === undefined) this.pending.push({ msg, redelivered });
    else this.fifoOf(invokerId).push({ msg, redelivered, target: invokerId });
    this.scheduleDrain();
  }

  async consume(handler: DeliveryHandler, options: ConsumeOptions): Promise<MemoryConsumer> {
    if (this.closed) throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', ['queue is closed']);
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new WhirlError('WHIRL_BAD_REQUEST', [`consumer concurrency must be a positive integer`]);
    }
    const consumer = new MemoryConsumer(handler, options, this.logger, {
      finished: (id) => {
        this.known.delete(id);
        this.scheduleDrain();
      },
      detach: (c) => this.detach(c),
      redeliver: (deliveries) => {
        // Orphans go first: they were accepted before anything still pending.
        for (let i = deliveries.length - 1; i >= 0; i--) {
          const d = deliveries[i]!;
          (d.target === undefined ? this.pending : this.fifoOf(d.target)).unshift(d);
        }
        this.scheduleDrain();
      },
    });
    this.consumers.push(consumer);
    this.scheduleDrain();
    return consumer;
  }

  async publishCompletion(replyTo: string, completion: CompletionMessage): Promise<void> {
    const set = this.listeners.get(replyTo);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(completion);
      } catch (err) {
        this.logger.error({ err, activationId: completion.activationId }, 'completion listener threw');
      }
    }
  }

  async subscribeCompletions(instanceId: string, listener: (c: CompletionMessage) => void): Promise<Subscription> {
    if (this.closed) throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', ['queue is closed']);
    let set = this.listeners.get(instanceId);
    if (!set) this.listeners.set(instanceId, (set = new Set()));
    // Wrap so that subscribing the same function twice gives two independent subscriptions.
    const entry = (c: CompletionMessage) => listener(c);
    set.add(entry);
    return {
      close: async () => {
        const current = this.listeners.get(instanceId);
        current?.delete(entry);
        if (current?.size === 0) this.listeners.delete(instanceId);
      },
    };
  }

  async depth(): Promise<number> {
    return this.known.size;
  }

  /** Stops every consumer gracefully (in-flight handlers are awaited) and drops subscriptions. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.consumers].map((c) => c.close()));
    this.listeners.clear();
  }

  private detach(consumer: MemoryConsumer): void {
    const i = this.consumers.indexOf(consumer);
    if (i >= 0) this.consumers.splice(i, 1);
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private fifoOf(invokerId: string): Fifo<PendingDelivery> {
    let fifo = this.targeted.get(invokerId);
    if (!fifo) this.targeted.set(invokerId, (fifo = new Fifo()));
    return fifo;
  }

  /** Hands pending messages, oldest first, to consumers with free slots, round robin; placed work first. */
  private drain(): void {
    for (const [invokerId, fifo] of this.targeted) {
      while (fifo.size > 0) {
        const consumer = this.pickConsumer((c) => c.invokerId === invokerId);
        if (!consumer) break;
        consumer.deliver(fifo.shift()!);
      }
      if (fifo.size === 0) this.targeted.delete(invokerId);
    }
    while (this.pending.size > 0) {
      const consumer = this.pickConsumer((c) => c.takesShared);
      if (!consumer) return;
      consumer.deliver(this.pending.shift()!);
    }
  }

  private pickConsumer(eligible: (c: MemoryConsumer) => boolean): MemoryConsumer | undefined {
    const n = this.consumers.length;
    for (let k = 0; k < n; k++) {
      const i = (this.nextConsumer + k) % n;
      const c = this.consumers[i]!;
      if (c.hasCapacity() && eligible(c)) {
        this.nextConsumer = (i + 1) % n;
        return c;
      }
    }
    return undefined;
  }
}
