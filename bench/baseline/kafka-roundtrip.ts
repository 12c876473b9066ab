import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Admin, Consumer, type Message, ProduceAcks, Producer } from '@platformatic/kafka';
import type { RoundTripResult } from './bullmq-roundtrip.js';

/**
 * The floor our Kafka adapter is measured against: raw @platformatic/kafka, nothing of Whirl's.
 *
 * - latency: one request at a time on idle topics — produce to a work topic (idempotent, acks=all, as Whirl
 *   writes), a worker consumer reads it and produces a reply to a reply topic, the caller's consumer reads the
 *   reply. One sample is that whole round trip: the shape of Whirl's publish → invoker → completion, without
 *   markers, commits or anything else;
 * - throughput: `n` records produced in batches of 500, timed from the first send to the worker's last receipt.
 *
 * Runs on fresh, uniquely named topics and deletes them afterwards. The streams read from the earliest offset: the
 * topics are new, and `latest` could skip the first record when the group's assignment lands after it (a hang).
 */
export interface KafkaRoundTripOptions {
  brokers: string[];
  /** Samples for the latency phase, and records for the throughput phase. */
  n: number;
}

const WARMUP = 20;
const BULK = 500;
type Bytes = Buffer;

export async function kafkaRoundTrip({ brokers, n }: KafkaRoundTripOptions): Promise<RoundTripResult> {
  const name = `whirl-bench-${randomUUID()}`;
  const work = `${name}.work`;
  const reply = `${name}.reply`;
  const base = { bootstrapBrokers: brokers, clientId: name };
  const admin = new Admin(base);
  await admin.createTopics({ topics: [work, reply], partitions: 1, replicas: 1 });
  const producer = new Producer<Bytes, Bytes, Bytes, Bytes>({ ...base, idempotent: true, acks: ProduceAcks.ALL });
  const workerProducer = new Producer<Bytes, Bytes, Bytes, Bytes>({ ...base, idempotent: true, acks: ProduceAcks.ALL });
  const consumerOptions = { ...base, maxWaitTime: 500, sessionTimeout: 6000, heartbeatInterval: 1000 };
  const worker = new Consumer<Bytes, Bytes, Bytes, Bytes>({ ...consumerOptions, groupId: `${name}.worker` });
  const caller = new Consumer<Bytes, Bytes, Bytes, Bytes>({ ...consumerOptions, groupId: `${name}.caller` });
  let replying = true;
  let received = 0;
  let target = Number.POSITIVE_INFINITY;
  let allDone: (() => void) | undefined;
  const replies = new Map<string, () => void>();
  try {
    const workStream = await worker.consume({ topics: [work], mode: 'earliest', autocommit: false });
    // One produce request at a time per idempotent producer: @platformatic/kafka 1.x gives two concurrent sends to one
    // partition the same sequence number and the broker silently drops the second as a duplicate (see SendLane). A
    // reply can reach the caller before its own acknowledgement reaches the worker, so replies are chained.
    let replyChain: Promise<void> = Promise.resolve();
    workStream.on('data', (m: Message<Bytes, Bytes, Bytes, Bytes>) => {
      if (replying) replyChain = replyChain.then(() => sendWithRetry(workerProducer, { topic: reply, key: m.key, value: m.value }));
      else if (++received === target) allDone?.();
    });
    const replyStream = await caller.consume({ topics: [reply], mode: 'earliest', autocommit: false });
    replyStream.on('data', (m: Message<Bytes, Bytes, Bytes, Bytes>) => replies.get(m.key.toString())?.());

    // Latency.
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + n; i++) {
      const id = randomUUID();
      const t0 = performance.now();
      const answered = new Promise<void>((resolve) => replies.set(id, resolve));
      await sendWithRetry(producer, { topic: work, key: Buffer.from(id), value: Buffer.from('{}') });
      await withTimeout(answered, 30_000, `no reply to sample ${i} within 30 s`);
      replies.delete(id);
      if (i >= WARMUP) samples.push(performance.now() - t0);
    }

    // Throughput.
    replying = false;
    target = n;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const t0 = performance.now();
    for (let i = 0; i < n; i += BULK) {
      const size = Math.min(BULK, n - i);
      await producer.send({
        messages: Array.from({ length: size }, () => ({ topic: work, key: Buffer.from(randomUUID()), value: Buffer.from('{}') })),
      });
    }
    await finished;
    const seconds = (performance.now() - t0) / 1000;

    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), throughputPerSec: n / seconds };
  } finally {
    await Promise.allSettled([worker.close(true), caller.close(true), producer.close(), workerProducer.close()]);
    await admin.deleteTopics({ topics: [work, reply] }).catch(() => {});
    await admin.close();
  }
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * Fresh topics can refuse the first produce for a moment (leader not known yet); a lost reply would hang the run, so
 * sends are retried a few times.
 */
async function sendWithRetry(
  producer: Producer<Bytes, Bytes, Bytes, Bytes>,
  message: { topic: string; key: Bytes; value: Bytes },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.send({ messages: [message] });
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
