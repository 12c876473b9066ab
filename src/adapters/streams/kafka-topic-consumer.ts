import { randomUUID } from 'node:crypto';
import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import type { Logger } from '../../ports/logger.js';
import type { DeliverMessage, StreamMessage, StreamSubscription } from '../../ports/message-streams.js';
import { describeKafkaError } from './kafka-stream-address.js';

/** Closes without waiting for in-flight requests (a broker that is gone would hold a graceful close). */
function forceClose(client: { close(force: boolean, callback: (err?: Error | null) => void): void }): Promise<void> {
  return new Promise((resolve) => client.close(true, () => resolve()));
}

type Record = Message<Buffer, Buffer, Buffer, Buffer>;

export interface TopicConsumerOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  consumerId: string;
  retryMs: number;
  /** How often a held record checks whether its subscription was unpaused (ms). */
  pollMs: number;
  /** The subscription as stored now: records are delivered only while it exists, unpaused, on the same stream. */
  current: () => Promise<StreamSubscription | undefined>;
  logger: Logger;
}

/**
 * One member of one subscription's consumer group in this process. Records are delivered one at a time in offset
 * order; a record's offset is committed after `deliver` resolves, in the background so the next delivery need not
 * wait for the broker (one commit in flight, the latest offsets win; stop flushes it). At least once: a process that dies between
 * the two leaves it for the next owner). A rejected delivery is tried again every `retryMs` while this member owns
 * the partition, so later records of that partition wait behind it (stream order). Records of a partition that moved
 * to another member in a rebalance are left to it, and records already delivered here are not delivered again when
 * the client re-reads from the committed offset after a rejoin.
 */
export class KafkaTopicConsumer {
  /** Per partition: the next offset this member has not delivered yet. */
  private readonly next = new Map<number, bigint>();
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private done: Promise<void> = Promise.resolve();
  /** Per partition: the offset to commit next (delivered, not yet committed). */
  private readonly toCommit = new Map<number, bigint>();
  private committing: Promise<void> | undefined;

  private constructor(
    private readonly client: Consumer<Buffer, Buffer, Buffer, Buffer>,
    private readonly stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
    private readonly options: TopicConsumerOptions,
  ) {}

  static async start(sub: StreamSubscription, deliver: DeliverMessage, options: TopicConsumerOptions): Promise<KafkaTopicConsumer> {
    const client = new Consumer<Buffer, Buffer, Buffer, Buffer>({
      clientId: `whirl-feed-${options.consumerId}-${randomUUID().slice(0, 8)}`,
      bootstrapBrokers: options.brokers,
      groupId: options.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
      minBytes: 1,
      maxWaitTime: 200,
      retries: true,
      retryDelay: 500,
    });
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
    try {
      // `committed`: subscribe stored the topic's end as the group's position; partitions added later start at
      // their beginning (nothing in them predates the subscription).
      stream = await client.consume({ topics: [options.topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
    } catch (err) {
      await forceClose(client);
      throw err;
    }
    const consumer = new KafkaTopicConsumer(client, stream, options);
    stream.on('error', (err: unknown) => options.logger.warn({ err: describeKafkaError(err) }, 'kafka feed stream error'));
    consumer.done = consumer.run(sub, deliver);
    return consumer;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    await this.stream.close().catch(() => undefined);
    await this.done;
    await this.committing;
    await this.flush();
    await this.client.close().catch(() => forceClose(this.client));
  }

  private async run(sub: StreamSubscription, deliver: DeliverMessage): Promise<void> {
    try {
      for await (const record of this.stream as AsyncIterable<Record>) {
        if (this.stopped) break;
        await this.take(sub, deliver, record);
      }
    } catch (err) {
      if (!this.stopped) this.options.logger.warn({ err: describeKafkaError(err), subscription: sub.id }, 'kafka feed consumer ended');
    }
  }

  private async take(sub: StreamSubscription, deliver: DeliverMessage, record: Record): Promise<void> {
    const seen = this.next.get(record.partition);
    if (seen !== undefined && record.offset < seen) return;
    while (!this.stopped && this.owns(record)) {
      // PAUSE and DELETE hold the record at once (uncommitted: the position is kept); the adapter then stops us.
      const now = await this.options.current().catch(() => undefined);
      if (!now || now.paused || now.stream !== sub.stream) {
        await this.pause(this.options.pollMs);
        continue;
      }
      try {
        await deliver(sub, toMessage(record));
      } catch (err) {
        this.options.logger.warn({ subscription: sub.id, partition: record.partition, offset: String(record.offset), err: String(err) }, 'kafka feed message not delivered');
        await this.pause(this.options.retryMs);
        continue;
      }
      this.next.set(record.partition, record.offset + 1n);
      this.toCommit.set(record.partition, record.offset + 1n);
      this.kickCommit();
      return;
    }
  }

  private kickCommit(): void {
    if (this.committing) return;
    this.committing = this.flush().finally(() => {
      this.committing = undefined;
      // Set between the flush's last check and now.
      if (this.toCommit.size > 0 && !this.stopped) this.kickCommit();
    });
  }

  /** Commits what was delivered until nothing is left; a failed commit is logged (those records may fire again). */
  private async flush(): Promise<void> {
    while (this.toCommit.size > 0) {
      const offsets = [...this.toCommit].map(([partition, offset]) => ({ topic: this.options.topic, partition, offset, leaderEpoch: -1 }));
      this.toCommit.clear();
      await this.client
        .commit({ offsets })
        .catch((err: unknown) => this.options.logger.warn({ err: describeKafkaError(err) }, 'kafka feed offset commit failed'));
    }
  }

  /** Whether the record's partition is assigned to this member now (a fetch issued before a rebalance may answer). */
  private owns(record: Record): boolean {
    return (this.client.assignments ?? []).some((a) => a.topic === record.topic && a.partitions.includes(record.partition));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
  }
}

/**
 * A record as a stream message: id `<partition>-<offset>`; fields from a JSON object value (non-string values as
 * JSON text), otherwise `{value}`; the record key, if any, as field `key` unless the value has one.
 */
export function toMessage(record: Pick<Record, 'partition' | 'offset' | 'key' | 'value'>): StreamMessage {
  const text = record.value?.toString('utf8') ?? '';
  let fields: { [k: string]: string } = { value: text };
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      fields = Object.fromEntries(
        Object.entries(parsed as object).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      );
    }
  } catch {
    // Not JSON: the raw text is the message.
  }
  if (record.key && record.key.length > 0 && fields.key === undefined) fields.key = record.key.toString('utf8');
  return { id: `${record.partition}-${record.offset}`, fields };
}
