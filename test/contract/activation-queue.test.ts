import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BullmqActivationQueue } from '../../src/adapters/queue/bullmq/bullmq-activation-queue.js';
import { MemoryActivationQueue } from '../../src/adapters/queue/memory/memory-activation-queue.js';
import type { ActivationQueue } from '../../src/ports/activation-queue.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { activationQueueContract, type DoomedConsumer } from './activation-queue.contract.js';
import { freePort as closedPort } from '../helpers/whirl-process.js';
import { startDoomedProcess } from './doomed-process.js';
import { activationMessage, deferred, deleteQueueKeys as deleteKeys, eventually, recordingLogger, sleep } from './activation-queue.support.js';
import { FileActivationQueue } from '../../src/adapters/queue/file/file-activation-queue.js';
import type { MemoryConsumer } from '../../src/adapters/queue/memory/memory-consumer.js';
import type { Logger } from '../../src/ports/logger.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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

const queueDirs: string[] = [];
afterAll(() => {
  for (const d of queueDirs) rmSync(d, { recursive: true, force: true });
});
const openFileQueue = async (logger: Logger, dir = mkdtempSync(join(tmpdir(), 'whirl-queue-'))) => {
  queueDirs.push(dir);
  return FileActivationQueue.open({ dir, logger });
};

activationQueueContract('file', (logger) => openFileQueue(logger), {
  redeliveryTimeoutMs: 1000,
  async startDoomedConsumer(queue, invokerId) {
    if (!(queue instanceof FileActivationQueue)) throw new Error('expected a FileActivationQueue');
    const received = deferred<string>();
    const consumer = (await queue.consume(
      async (msg) => {
        received.resolve(msg.activationId);
        await new Promise(() => {});
      },
      { invokerId: invokerId ?? 'doomed', concurrency: 1 },
    )) as MemoryConsumer;
    return { received: received.promise, kill: async () => consumer.crash() };
  },
});

describe('file activation queue across a restart', () => {
  it('delivers what was accepted and not finished; a started one as redelivered; a finished one never again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whirl-queue-'));
    const logger = recordingLogger();
    const first = await openFileQueue(logger, dir);
    const [done, started, waiting] = [activationMessage(), activationMessage(), activationMessage()];
    await first.publish(done);
    await first.publish(started);
    const seen: string[] = [];
    const gate = deferred<void>();
    await first.consume(
      async (msg) => {
        seen.push(msg.activationId);
        if (msg.activationId === started.activationId) await gate.promise;
      },
      { invokerId: 'a', concurrency: 2 },
    );
    await eventually('both delivered', () => seen.length === 2, 10_000);
    await first.publish(waiting, { invokerId: 'elsewhere' });
    // "kill -9": the journal as it is on disk now, opened by a new process; the old one is simply dropped.
    const second = await openFileQueue(logger, dir);
    const got: Array<{ id: string; redelivered: boolean }> = [];
    await second.consume(async (msg, d) => void got.push({ id: msg.activationId, redelivered: d.redelivered }), {
      invokerId: 'elsewhere',
      concurrency: 4,
    });
    await eventually('both redelivered', () => got.length === 2, 10_000);
    expect(got).toEqual(
      expect.arrayContaining([
        { id: started.activationId, redelivered: true },
        { id: waiting.activationId, redelivered: false },
      ]),
    );
    await second.publish(done);
    await sleep(100);
    expect(got.map((g) => g.id)).not.toContain(done.activationId);
    gate.resolve();
    await second.close();
  });
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
