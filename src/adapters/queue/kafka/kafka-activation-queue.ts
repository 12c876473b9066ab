import { Admin, Consumer as KafkaClient } from '@platformatic/kafka';
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
import { subscribeCompletions } from './completion-channel.js';
import { DeliveryState } from './delivery-state.js';
import { KafkaActivationConsumer } from './kafka-consumer.js';
import { asUnavailable, clientOptions, ensureTopics, forceClose, type KafkaSettings } from './kafka-link.js';
import { PublishedIds } from './published-ids.js';
import { SendLane } from './send-lane.js';
import { kafkaTopics } from './topics.js';

export interface KafkaActivationQueueOptions {
  /** `host:port` of one or more brokers. */
  brokers: string[];
  /** Prefix of every topic and group this queue uses, so several Whirls can share a cluster. */
  queueName: string;
  logger: Logger;
  /** Partitions of the shared work topic (default 8): the most invokers that can share untargeted work. */
  partitions?: number;
  /** How long a dead consumer keeps its partitions (default 10 000 ms): the crash detection bound. */
  sessionTimeoutMs?: number;
  /** Longest wait for the broker before `publish` gives up (default 3000 ms). */
  requestTimeoutMs?: number;
}

/**
 * ActivationQueue on Apache Kafka (see docs/kafka.md). Work records are keyed by activation id on the shared work
 * topic or on an invoker's own topic (`publish(msg, {invokerId})`); markers on a compacted state topic tell a
 * redelivery from a first delivery; completions go back on a completions topic keyed by API instance. The
 * producer is idempotent with acks=all: `publish` resolves once the record is on the broker's log.
 *
 * De-duplication of a publish of the same activation id is per process (an API process publishes each activation
 * once, so that is where duplicates come from) plus the consumers' markers (a duplicate whose original already
 * started or finished is skipped).
 */
export class KafkaActivationQueue implements ActivationQueue {
  readonly settings: KafkaSettings;
  private readonly logger: Logger;
  private readonly producer: SendLane;
  private readonly admin: Admin;
  private readonly knownTopics = new Set<string>();
  private readonly published = new PublishedIds();
  private readonly consumers = new Set<KafkaActivationConsumer>();
  private readonly subscriptions = new Set<Subscription>();
  private state: Promise<DeliveryState> | undefined;
  private probe: KafkaClient<Buffer, Buffer, Buffer, Buffer> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: KafkaActivationQueueOptions) {
    if (options.brokers.length === 0) throw new WhirlError('WHIRL_BAD_REQUEST', ['no Kafka brokers configured']);
    let topics;
    try {
      topics = kafkaTopics(options.queueName);
    } catch {
      throw new WhirlError('WHIRL_BAD_REQUEST', [`invalid queue name '${options.queueName}'`]);
    }
    this.settings = {
      brokers: options.brokers,
      topics,
      partitions: options.partitions ?? 8,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 3000,
    };
    this.logger = options.logger.child({ queue: options.queueName });
    this.producer = new SendLane(this.settings);
    this.admin = new Admin(clientOptions(this.settings, 'admin'));
  }

  async publish(msg: ActivationMessage, target?: PublishTarget): Promise<void> {
    this.assertOpen();
    const topic = target?.invokerId ? this.settings.topics.invoker(target.invokerId) : this.settings.topics.shared;
    await this.published.once(msg.activationId, async () => {
      try {
        await ensureTopics(this.admin, this.settings, [topic], this.knownTopics);
        await this.producer.send([
          { topic, key: Buffer.from(msg.activationId), value: Buffer.from(JSON.stringify(msg)) },
        ]);
      } catch (err) {
        throw asUnavailable(err);
      }
    });
  }

  async consume(handler: DeliveryHandler, options: ConsumeOptions): Promise<KafkaActivationConsumer> {
    this.assertOpen();
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new WhirlError('WHIRL_BAD_REQUEST', ['consumer concurrency must be a positive integer']);
    }
    try {
      const { topics } = this.settings;
      await ensureTopics(this.admin, this.settings, [topics.shared, topics.invoker(options.invokerId)], this.knownTopics);
      const state = await this.openState();
      const consumer = await KafkaActivationConsumer.start(
        {
          settings: this.settings,
          producer: this.producer,
          state,
          logger: this.logger,
          onClosed: (c) => this.consumers.delete(c),
        },
        handler,
        options,
      );
      this.consumers.add(consumer);
      return consumer;
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  async publishCompletion(replyTo: string, completion: CompletionMessage): Promise<void> {
    this.assertOpen();
    try {
      await ensureTopics(this.admin, this.settings, [], this.knownTopics);
      await this.producer.send([
        { topic: this.settings.topics.completions, key: Buffer.from(replyTo), value: Buffer.from(JSON.stringify(completion)) },
      ]);
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  async subscribeCompletions(instanceId: string, listener: (c: CompletionMessage) => void): Promise<Subscription> {
    this.assertOpen();
    try {
      await ensureTopics(this.admin, this.settings, [], this.knownTopics);
      const inner = await subscribeCompletions(this.settings, instanceId, listener, this.logger);
      const subscription: Subscription = {
        close: async () => {
          this.subscriptions.delete(subscription);
          await inner.close();
        },
      };
      this.subscriptions.add(subscription);
      return subscription;
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  /** Σ over work topics of (end offset − the group's committed offset): published and not yet finished. */
  async depth(): Promise<number> {
    this.assertOpen();
    try {
      const { topics } = this.settings;
      const work = (await this.admin.listTopics()).filter((t) => t.startsWith(`${topics.workPrefix}.`));
      if (work.length === 0) return 0;
      this.probe ??= new KafkaClient<Buffer, Buffer, Buffer, Buffer>({
        ...clientOptions(this.settings, 'probe'),
        groupId: topics.group,
      });
      const ends = await this.probe.listOffsets({ topics: work });
      const starts = await this.probe.listOffsets({ topics: work, timestamp: -2n });
      const committed = await this.probe.listCommittedOffsets({
        topics: work.map((topic) => ({ topic, partitions: (ends.get(topic) ?? []).map((_, p) => p) })),
      });
      let depth = 0n;
      for (const topic of work) {
        (ends.get(topic) ?? []).forEach((end, p) => {
          const start = starts.get(topic)?.[p] ?? 0n;
          const done = committed.get(topic)?.[p] ?? -1n;
          depth += end - (done >= 0n ? done : start);
        });
      }
      return Number(depth);
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  /** Closes consumers gracefully (in-flight handlers are awaited), subscriptions, then the clients. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.consumers].map((c) => c.close()));
      await Promise.all([...this.subscriptions].map((s) => s.close()));
      const state = await this.state?.catch(() => undefined);
      await state?.close();
      if (this.probe) await forceClose(this.probe);
      await this.producer.close();
      await this.admin.close().catch(() => {});
    })();
    return this.closing;
  }

  private openState(): Promise<DeliveryState> {
    this.state ??= DeliveryState.open(this.settings, this.logger);
    this.state.catch(() => (this.state = undefined));
    return this.state;
  }

  private assertOpen(): void {
    if (this.closing) throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', ['queue is closed']);
  }
}
