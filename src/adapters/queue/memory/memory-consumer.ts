import type { ActivationMessage } from '../../../domain/activation-message.js';
import type { ConsumeOptions, Consumer, DeliveryHandler } from '../../../ports/activation-queue.js';
import type { Logger } from '../../../ports/logger.js';

export interface PendingDelivery {
  msg: ActivationMessage;
  redelivered: boolean;
  /** The invoker the message was placed on; undefined for shared work. */
  target?: string;
}

/** What a consumer tells its queue; the queue owns the pending list and the de-duplication set. */
export interface ConsumerLink {
  /** The handler of `activationId` settled: the message leaves the queue. */
  finished(activationId: string): void;
  /** Take no more work to this consumer. */
  detach(consumer: MemoryConsumer): void;
  /** Put these deliveries back at the head of the queue. */
  redeliver(deliveries: PendingDelivery[]): void;
}

type State = 'open' | 'closing' | 'closed' | 'crashed';

/**
 * One consumer of a MemoryActivationQueue: at most `concurrency` handlers in flight. Besides the port's graceful
 * `close`, it offers `crash()` for tests: the stand-in for a consumer process dying mid-handler.
 */
export class MemoryConsumer implements Consumer {
  readonly invokerId: string;
  /** Takes untargeted work too (ConsumeOptions.shared). */
  readonly takesShared: boolean;
  private readonly concurrency: number;
  private readonly inFlight = new Map<string, PendingDelivery>();
  private idleWaiters: Array<() => void> = [];
  private state: State = 'open';

  constructor(
    private readonly handler: DeliveryHandler,
    options: ConsumeOptions,
    private readonly logger: Logger,
    private readonly link: ConsumerLink,
  ) {
    this.invokerId = options.invokerId;
    this.takesShared = options.shared ?? true;
    this.concurrency = options.concurrency;
  }

  hasCapacity(): boolean {
    return this.state === 'open' && this.inFlight.size < this.concurrency;
  }

  /** Runs the handler; called by the queue only when `hasCapacity()`. */
  deliver(delivery: PendingDelivery): void {
    const id = delivery.msg.activationId;
    this.inFlight.set(id, delivery);
    let run: Promise<void>;
    try {
      run = this.handler(delivery.msg, { redelivered: delivery.redelivered });
    } catch (err) {
      run = Promise.reject(err);
    }
    run.then(
      () => this.settle(id, delivery),
      (err: unknown) => {
        // The contract: a rejecting handler is logged and its message is not redelivered.
        this.logger.error({ err, activationId: id, invokerId: this.invokerId }, 'activation handler rejected');
        this.settle(id, delivery);
      },
    );
  }

  /** Stops taking new work, then waits for in-flight handlers. */
  async close(): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closing';
      this.link.detach(this);
    }
    if (this.state === 'closing' && this.inFlight.size > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    if (this.state === 'closing') this.state = 'closed';
  }

  /**
   * Test-only: the consumer dies now. Its in-flight messages go back to the head of the queue with
   * `redelivered: true`; whatever its handlers do afterwards is ignored, as a dead process's would be.
   */
  crash(): void {
    if (this.state === 'crashed' || this.state === 'closed') return;
    this.state = 'crashed';
    this.link.detach(this);
    const orphans = [...this.inFlight.values()].map((d) => ({ ...d, redelivered: true }));
    this.inFlight.clear();
    this.wakeIdleWaiters();
    if (orphans.length > 0) this.link.redeliver(orphans);
  }

  private settle(id: string, delivery: PendingDelivery): void {
    // A crashed consumer's messages belong to another consumer now: its late settlements are ignored.
    if (this.state === 'crashed' || this.inFlight.get(id) !== delivery) return;
    this.inFlight.delete(id);
    this.link.finished(id);
    if (this.inFlight.size === 0) this.wakeIdleWaiters();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
