import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BullmqActivationQueue } from '../../src/adapters/queue/bullmq/bullmq-activation-queue.js';
import { MemoryActivationQueue } from '../../src/adapters/queue/memory/memory-activation-queue.js';
import type { ActivationQueue } from '../../src/ports/activation-queue.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { activationQueueContract, type DoomedConsumer } from './activation-queue.contract.js';
import { freePort as closedPort } from '../helpers/whirl-process.js';
import { startDoomedProcess } from './doomed-process.js';
import { deferred, deleteQueueKeys as deleteKeys } from './activation-queue.support.js';

activationQueueContract('memory', async (logger) => new MemoryActivationQueue({ logger }), {
  redeliveryTimeoutMs: 1000,
  async startDoomedConsumer(queue, invokerId) {
    if (!(queue instanceof MemoryActivationQueue)) throw new Error('expected a MemoryActivationQueue');
    const received = deferred<string>();
    const consumer = await queue.consume(
      async (msg) => {
        received.resolve(msg.activationId);
        await new Promise(() => {});
      },
      { invokerId: invokerId ?? 'doomed', concurrency: 1 },
    );
    return { received: received.promise, kill: async () => consumer.crash() };
  },
});

// Short locks so a killed consumer's job is redelivered within ~1–2 s.
const LOCK_MS = 1000;
const STALLED_MS = 300;
const FIXTURE = fileURLToPath(new URL('./fixtures/bullmq-doomed-consumer.ts', import.meta.url));

describeWith(['redis'], 'BullMQ activation queue', () => {
  const redisUrl = serviceUrl('redis') ?? '';

  activationQueueContract(
    'bullmq',
    async (logger) =>
      new BullmqActivationQueue({
        redisUrl,
        queueName: `whirl-test-${randomUUID()}`,
        logger,
        lockDurationMs: LOCK_MS,
        stalledIntervalMs: STALLED_MS,
      }),
    {
      redeliveryTimeoutMs: 8000,
      startDoomedConsumer: (queue, invokerId) => startDoomedChild(redisUrl, queueNameOf(queue), invokerId),
      makeUnreachableQueue: async (logger) =>
        new BullmqActivationQueue({
          redisUrl: `redis://127.0.0.1:${await closedPort()}`,
          queueName: `whirl-test-${randomUUID()}`,
          logger,
        }),
      afterClose: (queue) => deleteKeys(redisUrl, queueNameOf(queue)),
    },
  );
});

function queueNameOf(queue: ActivationQueue): string {
  if (!(queue instanceof BullmqActivationQueue)) throw new Error('expected a BullmqActivationQueue');
  return queue.queueName;
}

/** A real process, killed with SIGKILL: the honest stand-in for an invoker crash. */
function startDoomedChild(redisUrl: string, queueName: string, invokerId = 'doomed'): Promise<DoomedConsumer> {
  return startDoomedProcess(FIXTURE, [redisUrl, queueName, String(LOCK_MS), String(STALLED_MS), invokerId]);
}
