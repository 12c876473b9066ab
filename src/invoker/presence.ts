import type { ActivationQueue, Consumer, DeliveryHandler } from '../ports/activation-queue.js';
import type { Clock } from '../ports/clock.js';
import type { InvokerRegistry, InvokerStatus } from '../ports/invoker-registry.js';
import type { Logger } from '../ports/logger.js';

/** Dead peers whose queues to start adopting, and adopted ones to let go (alive again, or forgotten). Pure. */
export function adoptionChanges(
  self: string,
  invokers: readonly InvokerStatus[],
  adopted: ReadonlySet<string>,
  deadMs: number,
): { adopt: string[]; release: string[] } {
  const dead = new Set(invokers.filter((i) => i.id !== self && i.ageMs >= deadMs).map((i) => i.id));
  return {
    adopt: [...dead].filter((id) => !adopted.has(id)),
    release: [...adopted].filter((id) => !dead.has(id)),
  };
}

/**
 * An invoker's membership: a heartbeat every `heartbeatMs` carrying its free memory (API processes place work by
 * it), and adoption of dead peers. A peer silent for `deadMs` gets no new work from the API; what was already
 * placed on it is finished here by consuming its queue (`shared: false`): activations it never started run
 * normally (they were never started, so running them keeps at-most-once), and those it had started come back as
 * redelivered and end with a `whisk internal error` record. The adoption ends when the peer heartbeats again or
 * the registry forgets it.
 */
export class InvokerPresence {
  private readonly adopted = new Map<string, Promise<Consumer | undefined>>();
  private timer: { cancel(): void } | undefined;
  private stopped = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      id: string;
      registry: InvokerRegistry;
      queue: ActivationQueue;
      handler: DeliveryHandler;
      clock: Clock;
      logger: Logger;
      memoryMB: number;
      freeMB: () => number;
      heartbeatMs: number;
      deadMs: number;
      /** Deliveries in flight per adopted queue. */
      adoptConcurrency: number;
    },
  ) {}

  /** Announces the invoker (first heartbeat) before it takes work, then keeps beating. */
  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  /** Stops beating (peers adopt whatever is still placed here after `deadMs`) and closes the adoptions. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.ticking;
    const all = [...this.adopted.values()];
    this.adopted.clear();
    await Promise.all(all.map(async (c) => (await c)?.close()));
  }

  /** Ids of the peers whose queues this invoker is finishing. */
  adopting(): string[] {
    return [...this.adopted.keys()];
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule());
    }, this.deps.heartbeatMs);
  }

  private async tick(): Promise<void> {
    const d = this.deps;
    try {
      await d.registry.heartbeat({ id: d.id, memoryMB: d.memoryMB, freeMB: d.freeMB() });
      const invokers = await d.registry.list();
      if (this.stopped) return;
      const changes = adoptionChanges(d.id, invokers, new Set(this.adopted.keys()), d.deadMs);
      for (const peer of changes.adopt) this.adopt(peer);
      for (const peer of changes.release) this.release(peer);
    } catch (err) {
      d.logger.warn({ err: String(err) }, 'heartbeat failed');
    }
  }

  private adopt(peer: string): void {
    this.deps.logger.warn({ peer }, 'invoker is silent: finishing the work placed on it');
    const consumer = this.deps.queue
      .consume(this.deps.handler, { invokerId: peer, concurrency: this.deps.adoptConcurrency, shared: false })
      .catch((err: unknown) => {
        this.deps.logger.warn({ peer, err: String(err) }, 'adopting a queue failed');
        this.adopted.delete(peer); // tried again on the next heartbeat
        return undefined;
      });
    this.adopted.set(peer, consumer);
  }

  private release(peer: string): void {
    const consumer = this.adopted.get(peer);
    this.adopted.delete(peer);
    void consumer?.then((c) => c?.close());
  }
}
