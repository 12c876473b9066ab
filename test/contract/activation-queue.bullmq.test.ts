import { randomUUID } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BullmqActivationQueue } from '../../src/adapters/queue/bullmq/bullmq-activation-queue.js';
import { wasStartedBefore } from '../../src/adapters/queue/bullmq/bullmq-consumer.js';
import type { CompletionMessage } from '../../src/domain/activation-message.js';
import { isWhirlError } from '../../src/errors/whirl-error.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import {
  activationMessage,
  completionMessage,
  deleteQueueKeys,
  eventually,
  recordingLogger,
} from './activation-queue.support.js';

/** BullMQ-specific behaviour beyond the shared contract (activation-queue.test.ts). */

describe('wasStartedBefore', () => {
  it('is true after a stall or a second start, false on a first delivery', () => {
    expect(wasStartedBefore({ attemptsStarted: 1, stalledCounter: 0 })).toBe(false);
    expect(wasStartedBefore({ attemptsStarted: 2, stalledCounter: 0 })).toBe(true);
    expect(wasStartedBefore({ attemptsStarted: 1, stalledCounter: 1 })).toBe(true);
  });
});

/** A TCP proxy in front of Redis that the test can cut and restore: a Redis outage without touching Redis. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describeWith(['redis'], 'BullmqActivationQueue on Redis', () => {
  const redis = new URL(serviceUrl('redis') ?? 'redis://127.0.0.1:6379');
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('fails publishes fast while Redis is unreachable and recovers (publish, consume, completions) after', async () => {
    const proxy = new CuttableProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    await proxy.up();
    cleanups.push(() => proxy.down());
    const queueName = `whirl-test-${randomUUID()}`;
    cleanups.push(() => deleteQueueKeys(redis.href, queueName));
    const queue = new BullmqActivationQueue({
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
      queueName,
      logger: recordingLogger(),
      lockDurationMs: 1000,
      stalledIntervalMs: 300,
      closeGraceMs: 500,
    });
    cleanups.push(async () => {
      await queue.close();
      await proxy.down();
    });
    // The waiting side is another instance (another process in production): its completions travel through Redis.
    const api = new BullmqActivationQueue({ redisUrl: `redis://127.0.0.1:${proxy.port}`, queueName, logger: recordingLogger() });
    cleanups.push(() => api.close());
    const seen: string[] = [];
    await queue.consume(async (m) => void seen.push(m.activationId), { invokerId: 'i0', concurrency: 1 });
    const completions: CompletionMessage[] = [];
    await api.subscribeCompletions('api-0', (c) => completions.push(c));
    const before = activationMessage();
    await queue.publish(before);
    await eventually('delivered before the outage', () => seen.includes(before.activationId));

    await proxy.down();
    const started = Date.now();
    const err = await queue.publish(activationMessage()).catch((e: unknown) => e);
    expect(isWhirlError(err, 'WHIRL_QUEUE_UNAVAILABLE')).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(queue.publishCompletion('api-0', completionMessage())).rejects.toSatisfy((e) =>
      isWhirlError(e, 'WHIRL_QUEUE_UNAVAILABLE'),
    );

    await proxy.up();
    const after = activationMessage();
    await eventually(
      'publish accepted again',
      () => queue.publish(after).then(() => true, () => false),
      10_000,
    );
    await eventually('delivered after the outage', () => seen.includes(after.activationId), 10_000);
    const done = completionMessage();
    await eventually(
      'completion received after the outage',
      async () => {
        await queue.publishCompletion('api-0', done).catch(() => {});
        return completions.some((c) => c.activationId === done.activationId);
      },
      10_000,
    );
  });

  it('hands a completion to a listener subscribed through the same instance without Redis', async () => {
    const proxy = new CuttableProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    await proxy.up();
    cleanups.push(() => proxy.down());
    const queueName = `whirl-test-${randomUUID()}`;
    cleanups.push(() => deleteQueueKeys(redis.href, queueName));
    const queue = new BullmqActivationQueue({ redisUrl: `redis://127.0.0.1:${proxy.port}`, queueName, logger: recordingLogger() });
    cleanups.push(() => queue.close());
    const completions: CompletionMessage[] = [];
    await queue.subscribeCompletions('api-0', (c) => completions.push(c));
    await proxy.down();
    const done = completionMessage();
    await queue.publishCompletion('api-0', done);
    await eventually('delivered in-process while Redis is down', () => completions.some((c) => c.activationId === done.activationId));
    expect(completions[0]).not.toBe(done); // a copy, as the channel would deliver
    await expect(queue.publishCompletion('api-1', completionMessage())).rejects.toSatisfy((e) =>
      isWhirlError(e, 'WHIRL_QUEUE_UNAVAILABLE'),
    );
  });

  it('close() returns within the grace period while Redis is unreachable', async () => {
    const proxy = new CuttableProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    await proxy.up();
    cleanups.push(() => proxy.down());
    const queueName = `whirl-test-${randomUUID()}`;
    cleanups.push(() => deleteQueueKeys(redis.href, queueName));
    const queue = new BullmqActivationQueue({
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
      queueName,
      logger: recordingLogger(),
      closeGraceMs: 500,
    });
    await queue.consume(async () => {}, { invokerId: 'i0', concurrency: 1 });
    await queue.subscribeCompletions('api-0', () => {});
    await queue.publish(activationMessage());
    await proxy.down();
    const started = Date.now();
    await queue.close();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('sends one turn of publishes and of completions together, and every one arrives once', async () => {
    const queueName = `whirl-test-${randomUUID()}`;
    cleanups.push(() => deleteQueueKeys(redis.href, queueName));
    const invoker = new BullmqActivationQueue({ redisUrl: redis.href, queueName, logger: recordingLogger() });
    const api = new BullmqActivationQueue({ redisUrl: redis.href, queueName, logger: recordingLogger() });
    cleanups.push(() => invoker.close(), () => api.close());
    const seen: string[] = [];
    await invoker.consume(async (m) => void seen.push(m.activationId), { invokerId: 'i0', concurrency: 8 });
    const completions: CompletionMessage[] = [];
    await api.subscribeCompletions('api-0', (c) => completions.push(c));
    const msgs = Array.from({ length: 40 }, () => activationMessage());
    await Promise.all(msgs.map((m) => api.publish(m))); // one turn: one pipelined write
    await eventually('all delivered', () => seen.length === msgs.length);
    expect(new Set(seen)).toEqual(new Set(msgs.map((m) => m.activationId)));
    const done = Array.from({ length: 25 }, () => completionMessage());
    await Promise.all(done.map((c) => invoker.publishCompletion('api-0', c))); // one PUBLISH carrying all 25
    await eventually('all completions', () => completions.length === done.length);
    expect(completions).toEqual(done);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(msgs.length);
    expect(completions).toHaveLength(done.length);
  });
});
