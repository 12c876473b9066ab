import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BullmqActivationQueue } from '../../src/adapters/queue/bullmq/bullmq-activation-queue.js';
import { MemoryActivationQueue } from '../../src/adapters/queue/memory/memory-activation-queue.js';
import type { ActivationQueue } from '../../src/ports/activation-queue.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { activationQueueContract, type DoomedConsumer } from './activation-queue.contract.js';
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
async function startDoomedChild(redisUrl: string, queueName: string, invokerId = 'doomed'): Promise<DoomedConsumer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', FIXTURE, redisUrl, queueName, String(LOCK_MS), String(STALLED_MS), invokerId],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = deferred();
  const received = deferred<string>();
  child.once('exit', (code, signal) => {
    const err = new Error(`doomed consumer exited early (code ${code}, signal ${signal})`);
    ready.reject(err);
    received.reject(err);
  });
  received.promise.catch(() => {});
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { ready?: true; received?: string };
    if (event.ready) ready.resolve();
    if (event.received) received.resolve(event.received);
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    await ready.promise;
  } catch (err) {
    await kill();
    throw err;
  }
  return { received: received.promise, kill };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
