import { randomUUID } from 'node:crypto';
import { Admin, Producer } from '@platformatic/kafka';
import { WhirlError } from '../../errors/whirl-error.js';
import type { Logger } from '../../ports/logger.js';
import type { DeliverMessage, MessageStreams, StopConsuming, StreamSubscription } from '../../ports/message-streams.js';
import { type KafkaStreamAddress, describeKafkaError, parseKafkaStream } from './kafka-stream-address.js';
import type { KafkaSubscriptions } from './kafka-subscriptions.js';
import { KafkaTopicConsumer } from './kafka-topic-consumer.js';

export interface KafkaMessageStreamsOptions {
  /** Brokers of subscriptions whose stream names only a topic (WHIRL_KAFKA_BROKERS). */
  brokers: string[];
  subscriptions: KafkaSubscriptions;
  /** Prefix of the consumer groups (`<prefix>.<subscription id>`): one Whirl deployment's groups. */
  groupPrefix: string;
  logger: Logger;
  /** Partitions of a topic that subscribe or append has to create. */
  partitions?: number;
}

interface Clients {
  admin: Admin;
  producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  topics: Set<string>;
}

/**
 * Kafka topics as message streams (the `/whisk.system/messaging/kafkaTopic` feed). Subscriptions live in a
 * KafkaSubscriptions store; positions live in Kafka, one consumer group per subscription. `subscribe` creates the
 * topic if needed and writes the topic's current end as the group's committed offsets, so the subscription starts
 * there even before any consumer joined. Every process's `consume` runs one group member per unpaused subscription
 * (KafkaTopicConsumer), so each record reaches one process; a member checks the subscription before each delivery,
 * so PAUSE and DELETE take effect at once and a paused subscription keeps its committed position.
 */
export class KafkaMessageStreams implements MessageStreams {
  private readonly clients = new Map<string, Clients>();

  constructor(private readonly options: KafkaMessageStreamsOptions) {}

  async subscribe(sub: StreamSubscription): Promise<void> {
    const address = this.address(sub.stream);
    const previous = await this.call(() => this.options.subscriptions.get(sub.id));
    // Subscribing again to the same topic keeps the position; another topic starts afresh at its end.
    if (previous?.stream !== sub.stream) {
      if (previous) await this.dropGroup(previous);
      await this.call(() => this.startAtEnd(sub.id, address));
    }
    await this.call(() => this.options.subscriptions.put({ ...sub }));
  }

  async unsubscribe(id: string): Promise<void> {
    const sub = await this.call(() => this.options.subscriptions.get(id));
    await this.call(() => this.options.subscriptions.delete(id));
    if (sub) await this.dropGroup(sub);
  }

  get(id: string): Promise<StreamSubscription | undefined> {
    return this.call(() => this.options.subscriptions.get(id));
  }

  async setPaused(id: string, paused: boolean): Promise<void> {
    const sub = await this.get(id);
    if (sub) await this.call(() => this.options.subscriptions.put({ ...sub, paused }));
  }

  /** Produces `fields` as a JSON object value; returns the message id `<partition>-<offset>`. */
  async append(stream: string, fields: Record<string, string>): Promise<string> {
    const address = this.address(stream);
    return this.call(async () => {
      const c = this.clientsFor(address.brokers);
      await this.ensureTopic(c, address.topic);
      const result = await c.producer.send({
        messages: [{ topic: address.topic, value: Buffer.from(JSON.stringify(fields)) }],
      });
      const written = result.offsets?.[0];
      return written ? `${written.partition}-${written.offset}` : '';
    });
  }

  consume(deliver: DeliverMessage, options: { consumerId: string; pollMs: number; retryMs: number }): StopConsuming {
    const running = new Map<string, { stream: string; consumer: Promise<KafkaTopicConsumer | undefined> }>();
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let pass: Promise<void> = Promise.resolve();
    const stopOne = async (id: string) => {
      const r = running.get(id);
      running.delete(id);
      await (await r?.consumer)?.stop();
    };
    const reconcile = async () => {
      const wanted = new Map((await this.options.subscriptions.list()).filter((s) => !s.paused).map((s) => [s.id, s]));
      for (const [id, r] of running) if (wanted.get(id)?.stream !== r.stream) await stopOne(id);
      for (const [id, sub] of wanted) {
        if (running.has(id)) continue;
        const address = parseKafkaStream(sub.stream, this.options.brokers);
        if (!address) continue;
        const consumer = KafkaTopicConsumer.start(sub, deliver, {
          ...address,
          groupId: this.groupId(id),
          consumerId: options.consumerId,
          retryMs: options.retryMs,
          pollMs: options.pollMs,
          // The subscription as it is now: a member delivers only while it exists unpaused on the same topic.
          current: () => this.options.subscriptions.get(id),
          logger: this.options.logger,
        }).catch((err: unknown) => {
          this.options.logger.warn({ subscription: id, err: describeKafkaError(err) }, 'kafka feed consumer did not start');
          running.delete(id); // tried again on the next pass
          return undefined;
        });
        running.set(id, { stream: sub.stream, consumer });
      }
    };
    const loop = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        pass = reconcile()
          .catch((err: unknown) => this.options.logger.warn({ err: String(err) }, 'kafka feed pass failed'))
          .finally(loop);
      }, options.pollMs);
      timer.unref?.();
    };
    loop();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await pass;
      await Promise.all([...running.keys()].map(stopOne));
    };
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) {
      await c.producer.close().catch(() => undefined);
      await c.admin.close().catch(() => undefined);
    }
    this.clients.clear();
    await this.options.subscriptions.close();
  }

  private async startAtEnd(id: string, address: KafkaStreamAddress): Promise<void> {
    const c = this.clientsFor(address.brokers);
    await this.ensureTopic(c, address.topic);
    const meta = await c.admin.metadata({ topics: [address.topic], forceUpdate: true });
    const count = meta.topics.get(address.topic)?.partitionsCount ?? 1;
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n }));
    const listed = await c.admin.listOffsets({ topics: [{ name: address.topic, partitions }] });
    const partitionOffsets = (listed[0]?.partitions ?? []).map((p) => ({ partition: p.partitionIndex, offset: p.offset }));
    await c.admin.alterConsumerGroupOffsets({
      groupId: this.groupId(id),
      topics: [{ name: address.topic, partitionOffsets }],
    });
  }

  /**
   * Best effort: a group whose members have not noticed the change yet cannot be deleted; its offsets then expire
   * with Kafka's offsets retention, and a later subscribe overwrites them.
   */
  private async dropGroup(sub: StreamSubscription): Promise<void> {
    const address = parseKafkaStream(sub.stream, this.options.brokers);
    if (!address) return;
    await this.clientsFor(address.brokers)
      .admin.deleteGroups({ groups: [this.groupId(sub.id)] })
      .catch(() => undefined);
  }

  private async ensureTopic(c: Clients, topic: string): Promise<void> {
    if (c.topics.has(topic)) return;
    await c.admin
      .createTopics({ topics: [topic], partitions: this.options.partitions ?? 1, replicas: 1 })
      .catch((err: unknown) => {
        if (!/already exists/i.test(describeKafkaError(err))) throw err;
      });
    c.topics.add(topic);
  }

  private clientsFor(brokers: string[]): Clients {
    const key = brokers.join(',');
    let c = this.clients.get(key);
    if (!c) {
      const base = { bootstrapBrokers: brokers, connectTimeout: 5_000, timeout: 10_000, retries: 3, retryDelay: 300 };
      c = {
        admin: new Admin({ ...base, clientId: `whirl-feed-admin-${randomUUID().slice(0, 8)}` }),
        producer: new Producer({ ...base, clientId: `whirl-feed-producer-${randomUUID().slice(0, 8)}`, acks: -1 }),
        topics: new Set(),
      };
      this.clients.set(key, c);
    }
    return c;
  }

  private groupId(subscriptionId: string): string {
    return `${this.options.groupPrefix}.${subscriptionId}`;
  }

  private address(stream: string): KafkaStreamAddress {
    const address = parseKafkaStream(stream, this.options.brokers);
    if (!address) throw new WhirlError('WHIRL_FEED_INVALID', ['not a Kafka topic (or brokers/topic)']);
    return address;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WhirlError) throw err;
      throw new WhirlError('WHIRL_UNAVAILABLE', [`kafka message streams: ${describeKafkaError(err)}`], { cause: err });
    }
  }
}
