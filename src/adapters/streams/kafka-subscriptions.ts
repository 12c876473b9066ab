import { Redis } from 'ioredis';
import type { StreamSubscription } from '../../ports/message-streams.js';

/**
 * Where the Kafka message streams keep their subscriptions (Kafka itself keeps only the positions, in one consumer
 * group per subscription). Shared by every API process through Redis when the feeds store is Redis, or local to
 * one process in memory.
 */
export interface KafkaSubscriptions {
  list(): Promise<StreamSubscription[]>;
  get(id: string): Promise<StreamSubscription | undefined>;
  put(sub: StreamSubscription): Promise<void>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryKafkaSubscriptions implements KafkaSubscriptions {
  private readonly subs = new Map<string, StreamSubscription>();

  async list(): Promise<StreamSubscription[]> {
    return [...this.subs.values()].map((s) => ({ ...s }));
  }

  async get(id: string): Promise<StreamSubscription | undefined> {
    const s = this.subs.get(id);
    return s && { ...s };
  }

  async put(sub: StreamSubscription): Promise<void> {
    this.subs.set(sub.id, { ...sub });
  }

  async delete(id: string): Promise<void> {
    this.subs.delete(id);
  }

  async close(): Promise<void> {}
}

/** The hash `<prefix>:kafka-subs` (field: subscription id, value: its JSON). */
export class RedisKafkaSubscriptions implements KafkaSubscriptions {
  private readonly redis: Redis;
  private readonly key: string;

  constructor(options: { redisUrl: string; prefix: string }) {
    this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    // Errors surface on the calls (the adapter maps them to WHIRL_UNAVAILABLE); the event must be handled.
    this.redis.on('error', () => undefined);
    this.key = `${options.prefix}:kafka-subs`;
  }

  async list(): Promise<StreamSubscription[]> {
    return (await this.redis.hvals(this.key)).map((raw) => JSON.parse(raw) as StreamSubscription);
  }

  async get(id: string): Promise<StreamSubscription | undefined> {
    const raw = await this.redis.hget(this.key, id);
    return raw ? (JSON.parse(raw) as StreamSubscription) : undefined;
  }

  async put(sub: StreamSubscription): Promise<void> {
    await this.redis.hset(this.key, sub.id, JSON.stringify(sub));
  }

  async delete(id: string): Promise<void> {
    await this.redis.hdel(this.key, id);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
