import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaMessageStreams } from '../../src/adapters/streams/kafka-message-streams.js';
import { formatKafkaStream, parseKafkaStream } from '../../src/adapters/streams/kafka-stream-address.js';
import {
  type KafkaSubscriptions,
  MemoryKafkaSubscriptions,
  RedisKafkaSubscriptions,
} from '../../src/adapters/streams/kafka-subscriptions.js';
import { toMessage } from '../../src/adapters/streams/kafka-topic-consumer.js';
import { silentLogger } from '../../src/ports/logger.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { messageStreamsContract } from './feeds-streams.contract.js';

// Every handle of a suite is one deployment: the same group prefix, so their consumers share each group.
const groupPrefix = `whirl-test-feed-${randomUUID().slice(0, 8)}`;
const open = (subscriptions: KafkaSubscriptions) =>
  new KafkaMessageStreams({
    brokers: serviceUrl('kafka')!.split(','),
    subscriptions,
    groupPrefix,
    logger: silentLogger,
  });

describeWith(['kafka'], 'kafka message streams, subscriptions in memory', () => {
  // One subscription store shared by every handle (its close is a no-op): one process, or the role Redis plays.
  const subscriptions = new MemoryKafkaSubscriptions();
  messageStreamsContract('kafka+memory', async () => open(subscriptions));
});

describeWith(['kafka'], 'kafka message streams, handover', () => {
  it('a record never acknowledged by a process that stops is delivered by the next one (at least once)', async () => {
    const subscriptions = new MemoryKafkaSubscriptions();
    const a = open(subscriptions);
    const b = open(subscriptions);
    const stream = `whirl-test-stream-${randomUUID()}`;
    const id = `ns/${randomUUID().slice(0, 8)}`;
    await a.subscribe({ id, namespace: 'ns', trigger: 't', subject: 's', uuid: 'u', stream, paused: false });
    let failing = 0;
    const stopA = a.consume(
      async () => {
        failing += 1;
        throw new Error('this process never manages to fire');
      },
      { consumerId: 'a', pollMs: 20, retryMs: 100 },
    );
    await a.append(stream, { x: '1' });
    await until(() => failing >= 1);
    await stopA();
    const got: string[] = [];
    const stopB = b.consume(async (_s, m) => void got.push(m.fields.x!), { consumerId: 'b', pollMs: 20, retryMs: 100 });
    await until(() => got.length === 1);
    await stopB();
    expect(got).toEqual(['1']);
    await a.unsubscribe(id);
    await a.close();
    await b.close();
  });
});

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeWith(['kafka', 'redis'], 'kafka message streams, subscriptions in Redis', () => {
  // Each handle has its own Redis connection, as separate API processes do.
  const prefix = `whirl-test-kstreams-${randomUUID().slice(0, 8)}`;
  messageStreamsContract('kafka+redis', async () =>
    open(new RedisKafkaSubscriptions({ redisUrl: serviceUrl('redis')!, prefix })),
  );
  afterAll(async () => {
    const redis = new Redis(serviceUrl('redis')!);
    await redis.del(`${prefix}:kafka-subs`);
    await redis.quit();
  });
});

describe('kafka stream addresses and records', () => {
  it('parses a topic on the default brokers and brokers/topic', () => {
    expect(parseKafkaStream('orders', ['k:9092'])).toEqual({ brokers: ['k:9092'], topic: 'orders' });
    expect(parseKafkaStream(formatKafkaStream('orders', ['a:1', 'b:2']), ['k:9092'])).toEqual({
      brokers: ['a:1', 'b:2'],
      topic: 'orders',
    });
    expect(parseKafkaStream('bad topic', ['k:9092'])).toBeUndefined();
    expect(parseKafkaStream('nohost/orders', ['k:9092'])).toBeUndefined();
  });

  it('maps a JSON object value to fields and anything else to {value}', () => {
    const at = { partition: 2, offset: 7n };
    expect(toMessage({ ...at, key: Buffer.from('k1'), value: Buffer.from('{"a":"x","n":3}') })).toEqual({
      id: '2-7',
      fields: { a: 'x', n: '3', key: 'k1' },
    });
    expect(toMessage({ ...at, key: Buffer.alloc(0), value: Buffer.from('plain') }).fields).toEqual({ value: 'plain' });
  });
});
