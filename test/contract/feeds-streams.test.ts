import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { MemoryMessageStreams } from '../../src/adapters/streams/memory-message-streams.js';
import { RedisMessageStreams } from '../../src/adapters/streams/redis-message-streams.js';
import { silentLogger } from '../../src/ports/logger.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { messageStreamsContract } from './feeds-streams.contract.js';

const shared = new MemoryMessageStreams();
messageStreamsContract('memory', async () => shared);

describeWith(['redis'], 'redis message streams', () => {
  const prefix = `whirl-test-streams-${randomUUID().slice(0, 8)}`;
  messageStreamsContract('redis', async () =>
    new RedisMessageStreams({ redisUrl: serviceUrl('redis')!, prefix, logger: silentLogger }),
  );
  afterAll(async () => {
    // Only this suite's keys: the subscription hash and the test streams it created.
    const redis = new Redis(serviceUrl('redis')!);
    const keys = [`${prefix}:stream-subs`, ...(await redis.keys('whirl-test-stream-*'))];
    await redis.del(...keys);
    await redis.quit();
  });
});
