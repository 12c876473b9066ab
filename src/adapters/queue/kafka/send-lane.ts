import { type MessageToProduce, ProduceAcks, Producer } from '@platformatic/kafka';
import { clientOptions, forceClose, type KafkaSettings } from './kafka-link.js';

type Outgoing = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;
type KafkaProducer = Producer<Buffer, Buffer, Buffer, Buffer>;

interface Pending {
  messages: Outgoing[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The one way this process writes to Kafka: an idempotent producer (acks=all) used **one request at a time**.
 *
 * Why: @platformatic/kafka 1.x stamps a record batch with the partition's sequence number when the request is built
 * and advances it only when the answer arrives, so two concurrent `send`s to one partition carry the same sequence
 * and the broker takes the second for a retry of the first — it answers success and drops it (or, interleaved with
 * other sequences, refuses it and the client retries forever). So sends are queued here, and everything queued while
 * a request is in flight goes out together in the next one (per partition, one batch with consecutive sequences):
 * serial for correctness, batched for throughput.
 *
 * A failed request rejects every send in it, and the producer is replaced: a request that failed on our side may
 * still have been written, and the old producer's next batch would reuse its sequence and be dropped as its
 * duplicate. A fresh producer id starts fresh sequences (the cost: such a message may be written twice, and the
 * consumers' markers skip the second copy).
 */
export class SendLane {
  private producer: KafkaProducer;
  private queue: Pending[] = [];
  private sending = false;
  private closed = false;

  constructor(private readonly settings: KafkaSettings) {
    this.producer = this.makeProducer();
  }

  /** Resolves once every message is acknowledged by all in-sync replicas. */
  send(messages: Outgoing[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('kafka producer is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      void this.drain();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.sending) await new Promise((r) => setTimeout(r, 5));
    await forceClose(this.producer);
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.producer.send({ messages: batch.flatMap((p) => p.messages) });
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
          const old = this.producer;
          this.producer = this.makeProducer();
          void forceClose(old);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private makeProducer(): KafkaProducer {
    return new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...clientOptions(this.settings, 'producer'),
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
  }
}
