import { type MessageToProduce, ProduceAcks, Producer } from '@platformatic/kafka';
import { clientOptions, forceClose, type KafkaSettings } from './kafka-link.js';

type Outgoing = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;
type KafkaProducer = Producer<Buffer, Buffer, Buffer, Buffer>;

interface Pending {
  messages: Outgoing[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Slot {
  producer: KafkaProducer;
  busy: boolean;
}

/**
 * Produce requests in flight at once per process, each on its own idempotent producer. One is correct but makes
 * every write wait for the previous answer (a `started` marker behind a completion, a publish behind a `done`);
 * a few let independent writes overlap while each producer keeps its own sequences straight.
 */
const PRODUCERS = 4;

/**
 * The one way this process writes to Kafka: a few idempotent producers (acks=all), each used **one request at a
 * time**.
 *
 * Why one request per producer: @platformatic/kafka 1.x stamps a record batch with the partition's sequence number
 * when the request is built and advances it only when the answer arrives, so two concurrent `send`s of one producer
 * to one partition carry the same sequence and the broker takes the second for a retry of the first — it answers
 * success and drops it (or refuses it and the client retries forever). Sequences are per producer id, so different
 * producers never collide: up to PRODUCERS requests overlap, each on an idle producer.
 *
 * Coalescing: a send does not go out at once; the lane flushes on the next turn of the event loop (setImmediate),
 * so everything sent in one turn (the `started` markers of all records of one fetch, the publishes of HTTP requests
 * read in one poll) travels in one request, and everything queued while all producers are busy goes out together on
 * the first one that frees up. Order between two sends is therefore not guaranteed, and nothing relies on it: a
 * `done` marker is sent only after its `started` was acknowledged.
 *
 * A failed request rejects every send in it, and its producer is replaced: a request that failed on our side may
 * still have been written, and the old producer's next batch would reuse its sequence and be dropped as its
 * duplicate. A fresh producer id starts fresh sequences (the cost: such a message may be written twice, and the
 * consumers' markers skip the second copy).
 */
export class SendLane {
  private readonly slots: Slot[];
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly settings: KafkaSettings) {
    this.slots = Array.from({ length: PRODUCERS }, () => ({ producer: this.makeProducer(), busy: false }));
  }

  /** Resolves once every message is acknowledged by all in-sync replicas. */
  send(messages: Outgoing[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('kafka producer is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Waits for queued and in-flight requests, then closes the producers. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.slots.some((s) => s.busy)) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    await Promise.all(this.slots.map((s) => forceClose(s.producer)));
  }

  /** Hands everything queued to an idle producer, if there is one (otherwise the next one to finish takes it). */
  private flush(): void {
    if (this.queue.length === 0) return;
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) return;
    const batch = this.queue;
    this.queue = [];
    slot.busy = true;
    slot.producer.send({ messages: batch.flatMap((p) => p.messages) }).then(
      () => {
        for (const p of batch) p.resolve();
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
        const old = slot.producer;
        slot.producer = this.makeProducer();
        void forceClose(old);
      },
    ).finally(() => {
      slot.busy = false;
      this.flush();
      if (this.queue.length === 0 && !this.slots.some((s) => s.busy)) this.wakeIdleWaiters();
    });
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private makeProducer(): KafkaProducer {
    return new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...clientOptions(this.settings, 'producer'),
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
  }
}
