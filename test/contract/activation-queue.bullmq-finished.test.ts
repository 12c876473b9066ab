import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { BullmqActivationQueue } from '../../src/adapters/queue/bullmq/bullmq-activation-queue.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { activationMessage, deleteQueueKeys, eventually, recordingLogger, sleep } from './activation-queue.support.js';

/**
 * BullMQ keeps finished job ids for a while (COMPLETED_JOBS_KEPT), so publishing an activation id again after its
 * delivery finished is still a no-op: what the composition engine relies on when it republishes the steps of an
 * execution resumed after a crash (docs/compositions.md).
 */
describeWith(['redis'], 'BullmqActivationQueue de-duplication after a delivery finished', () => {
  const redisUrl = serviceUrl('redis') ?? 'redis://127.0.0.1:6379';
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('does not deliver an activation id again once its job finished', async () => {
    const queueName = `whirl-test-${randomUUID()}`;
    cleanups.push(() => deleteQueueKeys(redisUrl, queueName));
    const queue = new BullmqActivationQueue({ redisUrl, queueName, logger: recordingLogger() });
    cleanups.push(() => queue.close());
    const seen: string[] = [];
    let finished = 0;
    await queue.consume(
      async (m) => {
        seen.push(m.activationId);
        await Promise.resolve();
        finished++;
      },
      { invokerId: 'i0', concurrency: 1 },
    );
    const msg = activationMessage();
    await queue.publish(msg);
    await eventually('delivered once', () => finished === 1, 10_000);
    // The job is finished (moved to `completed`, kept there) before the republish.
    const redis = new Redis(redisUrl);
    cleanups.push(async () => void redis.disconnect());
    await eventually(
      'job kept as completed',
      async () => (await redis.zscore(`bull:${queueName}-work:completed`, msg.activationId)) !== null,
      10_000,
    );
    await queue.publish(msg);
    const other = activationMessage();
    await queue.publish(other);
    await eventually('a later message delivered', () => seen.includes(other.activationId), 10_000);
    await sleep(200);
    expect(seen.filter((id) => id === msg.activationId)).toHaveLength(1);
  });
});
