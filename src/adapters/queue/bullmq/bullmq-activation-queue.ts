import { Queue } from 'bullmq';
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
import { BullmqConsumer, invokerQueueName, type WorkerSettings } from './bullmq-consumer.js';
import { completionChannel, deliver, subscribeChannel } from './completion-channel.js';
import { RedisLink, asUnavailable } from '../../redis/redis-link.js';
import { TurnBatch } from './turn-batch.js';

export interface BullmqActivationQueueOptions {
  redisUrl: string;
  /** Prefix of every name this queue uses in Redis, so several Whirls can share one Redis. */
  queueName: string;
  logger: Logger;
  /** How long a consumer's claim on a job lasts without renewal: the upper bound on crash detection. */
  lockDurationMs?: number;
  /** How often live consumers look for jobs whose consumer died. */
  stalledIntervalMs?: number;
  /** Longest wait for the first connection before `publish` gives up (later outages fail at once). */
  connectTimeoutMs?: number;
  /** How long closing a consumer may wait on Redis once its handlers are done (default 5000 ms). */
  closeGraceMs?: number;
}

const JOB_NAME = 'a';

/**
 * Acknowledgements (completions without a record, `ackOnly`) gather this long before one PUBLISH carries them:
 * nobody waits on them (placement and throttles free capacity a few ms later), and at 2,000 activations/s one
 * write then wakes the API process per ten activations instead of per one.
 */
const ACK_GATHER_MS = 5;

/**
 * Finished jobs are kept (data included, so bounded by count too) for an hour or the last 10,000: the window in
 * which publishing the same activation id again is still a no-op. The composition engine relies on it when it
 * republishes the steps of an execution resumed after a crash (docs/compositions.md).
 */
const COMPLETED_JOBS_KEPT = { age: 3600, count: 10_000 };

/**
 * ActivationQueue on BullMQ (Redis). Activations are jobs of the BullMQ queue `<queueName>-work`, with the
 * activation id as job id (a duplicate publish is a no-op while the job exists — pending, in flight, and for
 * `COMPLETED_JOBS_KEPT` after it finished, so a publisher that republishes after a crash cannot run a finished
 * activation again). A message placed on an invoker
 * goes to that invoker's own BullMQ queue `<queueName>-work-inv-<invokerId>` (its consumers also take the shared
 * queue); de-duplication holds per queue. Completions go over Redis
 * pub/sub on `<queueName>:done:<instanceId>`: one PUBLISH per completion, no polling, no stream to trim.
 *
 * Hot path: `publish` is one Lua call on an already-open connection; a consumer fetches its next job in the same
 * call that completes the previous one (BullMQ's moveToFinished + fetch next). Publishes, and completions, made in
 * the same event-loop turn go out together (turn-batch.ts): one pipelined write of BullMQ adds (`addBulk`), one
 * PUBLISH carrying a JSON array of completions per API process. A turn's first completion with a record (a blocking
 * caller waits for it) goes out at once, before the rest of the turn's work (measured ~0.1 ms of p50; doing the same
 * for a turn's first publish measured nothing); acknowledgements (`ackOnly`) gather for `ACK_GATHER_MS`.
 */
export class BullmqActivationQueue implements ActivationQueue {
  readonly queueName: string;
  private readonly redisUrl: string;
  private readonly logger: Logger;
  private readonly producer: RedisLink;
  /** Opened once the producer is first ready (see `openQueue`). */
  private queue: Queue<ActivationMessage, void> | undefined;
  /** Per-invoker queues, opened on first placement there. */
  private readonly targeted = new Map<string, Queue<ActivationMessage, void>>();
  private readonly worker: WorkerSettings;
  private readonly connectTimeoutMs: number;
  private readonly consumers = new Set<BullmqConsumer>();
  private readonly subscriptions = new Set<Subscription>();
  /** Completion listeners subscribed through this instance, by instance id: their completions skip Redis. */
  private readonly local = new Map<string, Set<(c: CompletionMessage) => void>>();
  private closing: Promise<void> | undefined;
  private readonly adds = new TurnBatch<Queue<ActivationMessage, void>, ActivationMessage>(addJobs);
  private readonly replies = new TurnBatch<string, CompletionMessage>(
    (replyTo, completions) => this.sendCompletions(replyTo, completions),
    { leading: true },
  );
  private readonly acks = new TurnBatch<string, CompletionMessage>(
    (replyTo, completions) => this.sendCompletions(replyTo, completions),
    { delayMs: ACK_GATHER_MS },
  );

  constructor(options: BullmqActivationQueueOptions) {
    if (options.queueName.includes('{') || options.queueName.length === 0) {
      throw new WhirlError('WHIRL_BAD_REQUEST', [`invalid queue name '${options.queueName}'`]);
    }
    this.queueName = options.queueName;
    this.redisUrl = options.redisUrl;
    this.logger = options.logger.child({ queue: options.queueName });
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.worker = {
      redisUrl: options.redisUrl,
      workQueue: `${options.queueName}-work`,
      lockDurationMs: options.lockDurationMs ?? 30_000,
      stalledIntervalMs: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 10,
      closeGraceMs: options.closeGraceMs ?? 5000,
    };
    // One fail-fast connection for publishing activations and completions and for counting.
    // No ioredis auto-pipelining: it holds every command for a turn of the event loop, which measured slower on
    // the blocking and composition paths than the writes it saves under load.
    this.producer = new RedisLink({
      url: options.redisUrl,
      logger: this.logger,
      connectTimeoutMs: this.connectTimeoutMs,
      purpose: 'queue',
    });
  }

  async publish(msg: ActivationMessage, target?: PublishTarget): Promise<void> {
    this.assertOpen();
    try {
      const shared = this.queue && this.producer.isReady() ? this.queue : await this.openQueue();
      const queue = target?.invokerId === undefined ? shared : this.targetQueue(target.invokerId);
      await this.adds.submit(queue, msg);
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  async consume(handler: DeliveryHandler, options: ConsumeOptions): Promise<BullmqConsumer> {
    this.assertOpen();
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new WhirlError('WHIRL_BAD_REQUEST', ['consumer concurrency must be a positive integer']);
    }
    const consumer = await BullmqConsumer.start(this.worker, handler, options, this.logger, (c) =>
      this.consumers.delete(c),
    );
    this.consumers.add(consumer);
    return consumer;
  }

  async publishCompletion(replyTo: string, completion: CompletionMessage): Promise<void> {
    this.assertOpen();
    const here = this.local.get(replyTo);
    if (here) {
      // The waiting API process is this one (API and invoker in one process): no round trip through Redis. A copy,
      // as the channel would deliver, so the listener never shares objects with the publisher.
      const raw = JSON.stringify(completion);
      for (const listener of here) queueMicrotask(() => deliver(raw, listener, this.logger));
      return;
    }
    return (completion.record ? this.replies : this.acks).submit(replyTo, completion);
  }

  /** One PUBLISH: a lone completion as an object, several as an array (completion-channel.ts reads both). */
  private async sendCompletions(replyTo: string, completions: CompletionMessage[]): Promise<void> {
    try {
      if (!this.producer.isReady()) await this.producer.ready();
      const payload = JSON.stringify(completions.length === 1 ? completions[0] : completions);
      await this.producer.client.publish(completionChannel(this.queueName, replyTo), payload);
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  async subscribeCompletions(instanceId: string, listener: (c: CompletionMessage) => void): Promise<Subscription> {
    this.assertOpen();
    const channel = completionChannel(this.queueName, instanceId);
    const inner = await subscribeChannel(this.redisUrl, channel, listener, this.logger, this.connectTimeoutMs);
    const listeners = this.local.get(instanceId) ?? new Set();
    listeners.add(listener);
    this.local.set(instanceId, listeners);
    const subscription: Subscription = {
      close: async () => {
        this.subscriptions.delete(subscription);
        listeners.delete(listener);
        if (listeners.size === 0 && this.local.get(instanceId) === listeners) this.local.delete(instanceId);
        await inner.close();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async depth(): Promise<number> {
    this.assertOpen();
    try {
      // The shared queue and the invoker queues this instance has placed work on.
      const queues = [await this.openQueue(), ...this.targeted.values()];
      let sum = 0;
      for (const queue of queues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        sum += Object.values(counts).reduce((s, n) => s + n, 0);
      }
      return sum;
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  /** Closes consumers gracefully (in-flight handlers are awaited), subscriptions, then the producer. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.consumers].map((c) => c.close()));
      await Promise.all([this.acks.drain(), this.replies.drain()]);
      await Promise.all([...this.subscriptions].map((s) => s.close()));
      for (const q of [this.queue, ...this.targeted.values()]) {
        await q?.close().catch((err: unknown) => this.logger.warn({ err }, 'closing queue failed'));
      }
      await this.producer.close();
    })();
    return this.closing;
  }

  /**
   * The BullMQ Queue is created only once our connection is ready: a Queue built on a connection that never comes
   * up keeps a pending initialisation that rejects unhandled when the connection is closed.
   */
  private async openQueue(): Promise<Queue<ActivationMessage, void>> {
    await this.producer.ready();
    this.queue ??= this.newQueue(this.worker.workQueue);
    return this.queue;
  }

  /** Called once the producer is ready (after `openQueue`). */
  private targetQueue(invokerId: string): Queue<ActivationMessage, void> {
    let queue = this.targeted.get(invokerId);
    if (!queue) this.targeted.set(invokerId, (queue = this.newQueue(invokerQueueName(this.worker.workQueue, invokerId))));
    return queue;
  }

  private newQueue(name: string): Queue<ActivationMessage, void> {
    const queue = new Queue<ActivationMessage, void>(name, {
      connection: this.producer.client,
      defaultJobOptions: { removeOnComplete: COMPLETED_JOBS_KEPT, removeOnFail: { age: 3600 }, attempts: 1 },
    });
    // The Queue re-emits connection errors, which RedisLink already logs; without a listener they would throw.
    queue.on('error', () => {});
    return queue;
  }

  private assertOpen(): void {
    if (this.closing) throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', ['queue is closed']);
  }
}

/** The adds of one turn: a lone one as before, several as one pipelined write (`addBulk`). Same job options. */
async function addJobs(queue: Queue<ActivationMessage, void>, msgs: ActivationMessage[]): Promise<void> {
  if (msgs.length === 1) {
    await queue.add(JOB_NAME, msgs[0]!, { jobId: msgs[0]!.activationId });
    return;
  }
  await queue.addBulk(msgs.map((msg) => ({ name: JOB_NAME, data: msg, opts: { jobId: msg.activationId } })));
}
