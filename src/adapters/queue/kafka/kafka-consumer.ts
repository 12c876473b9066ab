import { Consumer as KafkaClient, type Message, type MessagesStream } from '@platformatic/kafka';
import type { ActivationMessage } from '../../../domain/activation-message.js';
import type { ConsumeOptions, Consumer, DeliveryHandler } from '../../../ports/activation-queue.js';
import type { Logger } from '../../../ports/logger.js';
import { subscriptionAwareAssigner } from './assigner.js';
import { type DeliveryState, type MarkerState, type RecordRef, encodeMarker, verdictFor } from './delivery-state.js';
import { clientOptions, describe, forceClose, type KafkaSettings } from './kafka-link.js';
import { PartitionProgress } from './partition-progress.js';
import type { SendLane } from './send-lane.js';

type Record = Message<Buffer, Buffer, Buffer, Buffer>;

export interface ConsumerDeps {
  settings: KafkaSettings;
  producer: SendLane;
  state: DeliveryState;
  logger: Logger;
  onClosed: (c: KafkaActivationConsumer) => void;
}

/**
 * One member of the invokers' consumer group, subscribed to the shared work topic and to its own invoker topic.
 *
 * Delivery (identical to the BullMQ adapter's): a record's offset is committed only after its handler resolved and
 * its `done` marker is written, so a consumer that dies mid-handler leaves the record uncommitted; the group hands
 * the partition to a live member after `sessionTimeoutMs`, which reads the record again, finds its `started` marker
 * and delivers it with `redelivered: true`. A record finished but not yet committed (another record of the same
 * partition was still running) is found `done` and skipped: completions are never applied twice. Records are taken
 * in offset order per partition; up to `concurrency` handlers run at once; the commit point of a partition is its
 * lowest unfinished offset (see PartitionProgress).
 */
export class KafkaActivationConsumer implements Consumer {
  private readonly buffer: Record[] = [];
  private readonly progress = new Map<string, PartitionProgress>();
  /** Records this member has taken in this process: a rejoin re-reads from the commit point, those are ignored. */
  private readonly taken = new Set<string>();
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private catchUp: Promise<void> | undefined;
  private committing = false;
  private commitAgain = false;
  private commitScheduled = false;
  private closing: Promise<void> | undefined;
  // Set by start() right after the consumer exists; the client's first group join comes before it.
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;

  private constructor(
    private readonly deps: ConsumerDeps,
    private readonly client: KafkaClient<Buffer, Buffer, Buffer, Buffer>,
    private readonly handler: DeliveryHandler,
    private readonly concurrency: number,
    private readonly log: Logger,
  ) {}

  static async start(deps: ConsumerDeps, handler: DeliveryHandler, options: ConsumeOptions): Promise<KafkaActivationConsumer> {
    const { settings } = deps;
    const log = deps.logger.child({ invokerId: options.invokerId });
    const client = new KafkaClient<Buffer, Buffer, Buffer, Buffer>({
      ...clientOptions(settings, `invoker-${options.invokerId}`),
      groupId: settings.topics.group,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(settings.sessionTimeoutMs / 5)),
      rebalanceTimeout: Math.max(settings.sessionTimeoutMs, 10_000),
      partitionAssigner: subscriptionAwareAssigner,
      // A long poll: the broker answers as soon as one byte is there (minBytes 1), so the wait adds no latency to a
      // record; it only bounds how long a fetch issued before a rebalance can hold up newly assigned partitions.
      minBytes: 1,
      maxWaitTime: 200,
      // Keep retrying through broker restarts: a consumer is a long-lived background loop.
      retries: true,
      retryDelay: 500,
    });
    const consumer = new KafkaActivationConsumer(deps, client, handler, options.concurrency, log);
    client.on('consumer:group:join', () => consumer.rejoined());
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
    try {
      stream = await client.consume({
        topics: subscribedTopics(settings, options),
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
        highWaterMark: Math.max(16, options.concurrency * 2),
      });
    } catch (err) {
      await forceClose(client);
      throw err;
    }
    consumer.stream = stream;
    stream.on('data', (r: Record) => consumer.receive(r));
    stream.on('error', (err: unknown) => log.warn({ err: describe(err) }, 'kafka consumer stream error'));
    return consumer;
  }

  /** Stops taking records, waits for in-flight handlers, commits what they finished, leaves the group. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stream?.pause();
      // Never started: left uncommitted, so the next owner reads them as first deliveries.
      for (const r of this.buffer.splice(0)) this.taken.delete(refKey(r));
      if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await this.commit();
      await this.stream?.close().catch(() => {});
      await this.client.close().catch(() => forceClose(this.client));
    })().finally(() => this.deps.onClosed(this));
    return this.closing;
  }

  /**
   * After any (re)join: markers written by the previous owners must be read before deciding on a record, and
   * records of partitions that moved away and were not started yet are left to their new owner.
   */
  private rejoined(): void {
    this.catchUp = undefined;
    const kept = this.buffer.filter((r) => this.owns(r));
    for (const r of this.buffer) if (!this.owns(r)) this.taken.delete(refKey(r));
    this.buffer.splice(0, this.buffer.length, ...kept);
    for (const [key, p] of this.progress) {
      const [topic, partition] = splitKey(key);
      if (!p.hasUnfinished() && !this.owns({ topic, partition })) this.progress.delete(key);
    }
    if (this.stream) this.pump(); // the first join happens before the stream exists
  }

  /** Whether the partition is assigned to this member now (a long poll issued before a rebalance can still answer). */
  private owns(r: { topic: string; partition: number }): boolean {
    return (this.client.assignments ?? []).some((a) => a.topic === r.topic && a.partitions.includes(r.partition));
  }

  private receive(record: Record): void {
    if (this.closing || !this.owns(record)) return;
    const key = refKey(record);
    if (this.taken.has(key)) return;
    this.taken.add(key);
    this.buffer.push(record);
    if (this.buffer.length >= this.concurrency) this.stream?.pause();
    this.pump();
  }

  private pump(): void {
    while (!this.closing && this.inFlight < this.concurrency && this.buffer.length > 0) {
      const record = this.buffer.shift()!;
      this.progressOf(record).taken(record.offset);
      this.inFlight++;
      void this.run(record).then(
        () => this.finished(record),
        // Not finished: the offset stays uncommitted (the record is read again after the next rebalance).
        () => this.taken.delete(refKey(record)),
      ).finally(() => {
        if (--this.inFlight === 0) this.wakeIdleWaiters();
        this.scheduleCommit();
        this.pump();
      });
    }
    if (!this.closing && this.buffer.length < this.concurrency && this.stream?.isPaused()) this.stream.resume();
  }

  private async run(record: Record): Promise<void> {
    const ref: RecordRef = { topic: record.topic, partition: record.partition, offset: record.offset };
    const id = record.key.toString('utf8');
    try {
      this.catchUp ??= this.deps.state.catchUp(Math.max(this.deps.settings.sessionTimeoutMs, 10_000));
      await this.catchUp;
    } catch (err) {
      this.catchUp = undefined;
      // Without the markers we cannot tell a redelivery from a first delivery: leave the record uncommitted.
      this.log.error({ err: describe(err), activationId: id }, 'delivery markers unavailable; record left for redelivery');
      throw err;
    }
    const verdict = verdictFor(this.deps.state.get(id), ref);
    if (verdict === 'skip') return;
    let msg: ActivationMessage;
    try {
      msg = JSON.parse(record.value.toString('utf8')) as ActivationMessage;
    } catch (err) {
      this.log.error({ err: describe(err), activationId: id }, 'malformed activation record');
      return;
    }
    await this.mark(id, ref, 'started');
    try {
      await this.handler(msg, { redelivered: verdict === 'redelivered' });
    } catch (err) {
      this.log.error({ err, activationId: id }, 'activation handler rejected');
    }
    await this.mark(id, ref, 'done');
  }

  /** Writes a marker and waits for Kafka's acknowledgement (acks=all, idempotent producer). */
  private async mark(id: string, ref: RecordRef, state: MarkerState): Promise<void> {
    const marker = { ...ref, state };
    await this.deps.producer.send([
      { topic: this.deps.settings.topics.state, key: Buffer.from(id), value: encodeMarker(marker) },
    ]);
    this.deps.state.remember(id, marker);
  }

  /**
   * Commits on the next turn of the event loop: handlers finishing together (their `done` markers acknowledged in
   * one produce request, see SendLane) share one offset commit instead of one each.
   */
  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      // Closing commits itself once the last handler is done.
      if (!this.closing) void this.commit();
    });
  }

  /**
   * Commits every partition's commit point; one commit at a time, coalescing finishes that arrive meanwhile. A
   * failed commit (e.g. the partition moved in a rebalance) is logged: the records are read again by their new
   * owner, which finds them `done` and skips them.
   */
  private async commit(): Promise<void> {
    if (this.committing) {
      this.commitAgain = true;
      return;
    }
    this.committing = true;
    try {
      do {
        this.commitAgain = false;
        const offsets = [];
        for (const [key, p] of this.progress) {
          const offset = p.commitPoint();
          const [topic, partition] = splitKey(key);
          // A partition that moved is its new owner's to commit; what finished here is `done` and gets skipped.
          if (offset !== undefined && this.owns({ topic, partition })) offsets.push({ topic, partition, offset, leaderEpoch: -1 });
        }
        if (offsets.length > 0) {
          await this.client.commit({ offsets }).catch((err: unknown) => {
            this.log.warn({ err: describe(err) }, 'kafka offset commit failed');
          });
        }
      } while (this.commitAgain);
    } finally {
      this.committing = false;
    }
  }

  private finished(record: Record): void {
    const progress = this.progressOf(record);
    progress.finished(record.offset);
    // Offsets below the commit point are never read again by this member: forget them.
    const point = progress.commitPoint();
    if (point !== undefined && this.taken.size > 10_000) {
      for (const key of this.taken) {
        const [topic, partition, offset] = key.split(':');
        if (topic === record.topic && Number(partition) === record.partition && BigInt(offset ?? 0) < point) {
          this.taken.delete(key);
        }
      }
    }
  }

  private progressOf(record: Record): PartitionProgress {
    const key = `${record.partition}:${record.topic}`;
    let p = this.progress.get(key);
    if (!p) this.progress.set(key, (p = new PartitionProgress()));
    return p;
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** The invoker's own topic, plus the shared one unless `shared: false` (adoption of a dead peer's topic). */
export function subscribedTopics(settings: KafkaSettings, options: ConsumeOptions): string[] {
  const own = settings.topics.invoker(options.invokerId);
  return options.shared === false ? [own] : [settings.topics.shared, own];
}

function refKey(r: RecordRef): string {
  return `${r.topic}:${r.partition}:${r.offset}`;
}

function splitKey(key: string): [string, number] {
  const i = key.indexOf(':');
  return [key.slice(i + 1), Number(key.slice(0, i))];
}
