import { type Job, Worker } from 'bullmq';
import type { ActivationMessage } from '../../../domain/activation-message.js';
import type { ConsumeOptions, Consumer, DeliveryHandler } from '../../../ports/activation-queue.js';
import type { Logger } from '../../../ports/logger.js';
import { asUnavailable } from './redis-link.js';

export interface WorkerSettings {
  redisUrl: string;
  /** The BullMQ queue name (`<queueName>-work`). */
  workQueue: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

/**
 * True when an earlier delivery of this job may have started: BullMQ counts every move to active in
 * `attemptsStarted` (so > 1 after a stall) and every stall in `stalledCounter`.
 */
export function wasStartedBefore(job: Pick<Job, 'attemptsStarted' | 'stalledCounter'>): boolean {
  return job.attemptsStarted > 1 || job.stalledCounter > 0;
}

/**
 * A BullMQ Worker running `handler` for each activation job.
 *
 * Delivery contract mapping: the job's lock (renewed by the worker) is what marks it in flight. When the worker's
 * process dies, the lock expires after `lockDurationMs`; a live worker's stalled check (every `stalledIntervalMs`)
 * moves the job back to wait, and the next delivery sees `redelivered: true`. `maxStalledCount` is set high so a
 * job is redelivered rather than failed when its consumers keep dying. A handler rejection is logged and the job
 * completes: BullMQ never retries it (`attempts: 1` on the job as well).
 */
export class BullmqConsumer implements Consumer {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker<ActivationMessage, void>,
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
    const processor = async (job: Job<ActivationMessage, void>): Promise<void> => {
      try {
        await handler(job.data, { redelivered: wasStartedBefore(job) });
      } catch (err) {
        log.error({ err, activationId: job.data.activationId }, 'activation handler rejected');
      }
    };
    const worker = new Worker<ActivationMessage, void>(settings.workQueue, processor, {
      // Workers block on Redis and must ride out reconnects: BullMQ requires no per-request retry limit.
      connection: { url: settings.redisUrl, maxRetriesPerRequest: null },
      concurrency: options.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: settings.maxStalledCount,
      autorun: true,
    });
    worker.on('error', (err) => log.warn({ err: err.message }, 'queue worker error'));
    worker.on('failed', (job, err) => {
      // Only reachable when a job stalled more than maxStalledCount times: it will get no record from us.
      log.error({ err: err.message, activationId: job?.data.activationId }, 'activation job failed');
    });
    const consumer = new BullmqConsumer(worker, onClosed);
    try {
      await worker.waitUntilReady();
    } catch (err) {
      await worker.close(true).catch(() => {});
      throw asUnavailable(err);
    }
    return consumer;
  }

  /** Stops fetching jobs and waits for in-flight handlers (BullMQ's graceful close has no timeout of its own). */
  close(): Promise<void> {
    this.closing ??= this.worker.close().finally(() => this.onClosed(this));
    return this.closing;
  }
}
