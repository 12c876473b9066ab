import { silentLogger, type Logger } from '../../ports/logger.js';
import type { StreamSubscription } from '../../ports/message-streams.js';
import { RedisLink } from '../redis/redis-link.js';
import type { CouchOptions } from '../store/couchdb/couch-database.js';
import { coordinationDocs, type CouchDocs } from '../store/couchdb/couch-docs.js';

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
  private readonly link: RedisLink;
  private readonly key: string;

  constructor(options: { redisUrl: string; prefix: string; logger?: Logger }) {
    this.link = new RedisLink({ url: options.redisUrl, logger: options.logger ?? silentLogger, purpose: 'kafka feed subscriptions' });
    this.key = `${options.prefix}:kafka-subs`;
  }

  async list(): Promise<StreamSubscription[]> {
    return (await this.link.run((r) => r.hvals(this.key))).map((raw) => JSON.parse(raw) as StreamSubscription);
  }

  async get(id: string): Promise<StreamSubscription | undefined> {
    const raw = await this.link.run((r) => r.hget(this.key, id));
    return raw ? (JSON.parse(raw) as StreamSubscription) : undefined;
  }

  async put(sub: StreamSubscription): Promise<void> {
    await this.link.run((r) => r.hset(this.key, sub.id, JSON.stringify(sub)));
  }

  async delete(id: string): Promise<void> {
    await this.link.run((r) => r.hdel(this.key, id));
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}

/** Documents `kafka-sub:<id>` in the `<prefix>coordination` CouchDB database (`WHIRL_COORDINATION=store`). */
export class CouchKafkaSubscriptions implements KafkaSubscriptions {
  private readonly docs: CouchDocs;

  constructor(options: CouchOptions) {
    this.docs = coordinationDocs(options);
  }

  async list(): Promise<StreamSubscription[]> {
    return (await this.docs.list<{ sub: StreamSubscription }>('kafka-sub:')).map((d) => d.sub);
  }

  async get(id: string): Promise<StreamSubscription | undefined> {
    return (await this.docs.get<{ sub: StreamSubscription }>(`kafka-sub:${id}`))?.sub;
  }

  async put(sub: StreamSubscription): Promise<void> {
    await this.docs.update(`kafka-sub:${sub.id}`, () => ({ write: { sub }, result: undefined }));
  }

  async delete(id: string): Promise<void> {
    await this.docs.update(`kafka-sub:${id}`, () => ({ write: 'delete', result: undefined }));
  }

  async close(): Promise<void> {}
}
