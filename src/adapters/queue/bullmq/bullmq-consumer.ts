import { type Job, Worker } from 'bullmq';
import type { ActivationMessage } from '../../../domain/activation-message.js';
import type { ConsumeOptions, Consumer, DeliveryHandler } from '../../../ports/activation-queue.js';
import type { Logger } from '../../../ports/logger.js';
import { RedisLink, asUnavailable } from '../../redis/redis-link.js';

export interface WorkerSettings {
  redisUrl: string;
  /** The BullMQ queue name (`<queueName>-work`). */
  workQueue: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  /** After in-flight handlers finished, how long BullMQ may take to record their jobs before we cut its connections. */
  closeGraceMs: number;
}

/**
 * True when an earlier delivery of this job may have started: BullMQ counts every move to active in
 * `attemptsStarted` (so > 1 after a stall) and every stall in `stalledCounter`.
 */
export function wasStartedBefore(job: Pick<Job, 'attemptsStarted' | 'stalledCounter'>): boolean {
  return job.attemptsStarted > 1 || job.stalledCounter > 0;
}

/** The BullMQ queue of activations placed on `invokerId` (ids are reduced to characters safe in Redis keys). */
export function invokerQueueName(workQueue: string, invokerId: string): string {
  return `${workQueue}-inv-${invokerId.replace(/[^a-zA-Z0-9_.-]/g, '_')}`;
}

/**
 * BullMQ Workers running `handler` for each activation job: one on the invoker's own queue (placed work) and one on
 * the shared queue (unless `shared: false`). Both fetch up to `concurrency` jobs; a gate keeps the handlers
 * running at once within `concurrency` (a fetched job waiting at the gate keeps its lock renewed).
 *
 * Delivery contract mapping: the job's lock (renewed by the worker) is what marks it in flight. When the worker's
 * process dies, the lock expires after `lockDurationMs`; a live worker's stalled check (every `stalledIntervalMs`)
 * moves the job back to wait, and the next delivery sees `redelivered: true`. `maxStalledCount` is set high so a
 * job is redelivered rather than failed when its consumers keep dying. A handler rejection is logged and the job
 * completes: BullMQ never retries it (`attempts: 1` on the job as well).
 */
export class BullmqConsumer implements Consumer {
  private closing: Promise<void> | undefined;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private workers: Worker<ActivationMessage, void>[] = [];
  private running = 0;
  private gateWaiters: Array<() => void> = [];

  private constructor(
    private readonly settings: WorkerSettings,
    private readonly log: Logger,
    private readonly onClosed: (c: BullmqConsumer) => void,
  ) {}

  static async start(
    settings: WorkerSettings,
    handler: DeliveryHandler,
    options: ConsumeOptions,
    logger: Logger,
    onClosed: (c: BullmqConsumer) => void,
  ): Promise<BullmqConsumer> {
    const log = logger.child({ invokerId: options.invokerId });
    const consumer = new BullmqConsumer(settings, log, onClosed);
    const processor = async (job: Job<ActivationMessage, void>): Promise<void> => {
      consumer.inFlight++;
      try {
        // Admitted synchronously when there is room: the handler then starts (and writes its `/run`) before BullMQ's
        // loop goes on to its next fetch, whose Redis write would otherwise go first. That took ~0.1 ms off the
        // job→handler stage; end to end the fetch's write then lands during the `/run` (no p50 change measured).
        const gate = consumer.enterGate(options.concurrency);
        if (gate) await gate;
        try {
          await handler(job.data, { redelivered: wasStartedBefore(job) });
        } finally {
          consumer.leaveGate();
        }
      } catch (err) {
        log.error({ err, activationId: job.data.activationId }, 'activation handler rejected');
      } finally {
        if (--consumer.inFlight === 0) consumer.wakeIdleWaiters();
      }
    };
    const queues = [invokerQueueName(settings.workQueue, options.invokerId)];
    if (options.shared ?? true) queues.push(settings.workQueue);
    for (const name of queues) {
      const worker = new Worker<ActivationMessage, void>(name, processor, {
        // Workers block on Redis and must ride out reconnects: BullMQ requires no per-request retry limit.
        connection: { url: settings.redisUrl, ...RedisLink.ioredisOptions({ url: settings.redisUrl, mode: 'blocking' }) },
        concurrency: options.concurrency,
        lockDuration: settings.lockDurationMs,
        stalledInterval: settings.stalledIntervalMs,
        maxStalledCount: settings.maxStalledCount,
        autorun: true,
      });
      consumer.workers.push(worker);
      worker.on('error', (err) => log.warn({ err: err.message }, 'queue worker error'));
      worker.on('failed', (job, err) => {
        // Only reachable when a job stalled more than maxStalledCount times: it will get no record from us.
        log.error({ err: err.message, activationId: job?.data.activationId }, 'activation job failed');
      });
    }
    try {
      await Promise.all(consumer.workers.map((w) => w.waitUntilReady()));
    } catch (err) {
      await Promise.all(consumer.workers.map((w) => w.close(true).catch(() => {})));
      throw asUnavailable(err);
    }
    return consumer;
  }

  /**
   * Stops fetching jobs and waits for in-flight handlers (unbounded, as the port says). BullMQ then records the
   * finished jobs and quits its connections, which waits for Redis: that part is bounded by `closeGraceMs`.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown().finally(() => this.onClosed(this));
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const graceful = Promise.all(this.workers.map((w) => w.close()));
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (await settlesWithin(graceful, this.settings.closeGraceMs)) return;
    // Redis is unreachable: BullMQ waits for a reconnect to record the finished jobs and quit. We stop waiting so
    // the caller can exit; BullMQ keeps trying in the background (its lock timer keeps the process alive, so a
    // shutting-down process must exit explicitly). Unrecorded jobs are redelivered as stalled to another invoker.
    this.log.warn({}, 'queue worker could not close within the grace period (Redis unreachable?)');
  }

  /** Takes a slot: at once (undefined) when one is free, else a promise that resolves once one is taken. */
  private enterGate(limit: number): Promise<void> | undefined {
    if (this.running < limit) {
      this.running++;
      return undefined;
    }
    return (async () => {
      while (this.running >= limit) await new Promise<void>((resolve) => this.gateWaiters.push(resolve));
      this.running++;
    })();
  }

  private leaveGate(): void {
    this.running--;
    this.gateWaiters.shift()?.();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** Whether `p` settles (either way) within `ms`; the timer never outlives the answer. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
