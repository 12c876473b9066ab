import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../src/adapters/queue/memory/fifo.js';
import { MemoryActivationQueue } from '../../../src/adapters/queue/memory/memory-activation-queue.js';
import type { Delivery } from '../../../src/ports/activation-queue.js';
import { isWhirlError } from '../../../src/errors/whirl-error.js';
import {
  activationMessage,
  completionMessage,
  deferred,
  eventually,
  recordingLogger,
  within,
} from '../../contract/activation-queue.support.js';

const opts = { invokerId: 'i0', concurrency: 1 };

describe('MemoryActivationQueue', () => {
  it('delivers in publish order (FIFO)', async () => {
    const queue = new MemoryActivationQueue({ logger: recordingLogger() });
    const msgs = Array.from({ length: 50 }, () => activationMessage());
    for (const m of msgs) await queue.publish(m);
    const seen: string[] = [];
    await queue.consume(async (m) => void seen.push(m.activationId), opts);
    await eventually('all delivered', () => seen.length === msgs.length);
    expect(seen).toEqual(msgs.map((m) => m.activationId));
    await queue.close();
  });

  it('never runs a handler synchronously inside publish', async () => {
    const queue = new MemoryActivationQueue({ logger: recordingLogger() });
    let ran = false;
    await queue.consume(async () => void (ran = true), opts);
    const publishing = queue.publish(activationMessage());
    expect(ran).toBe(false);
    await publishing;
    await eventually('handler ran', () => ran);
    await queue.close();
  });

  it('crash() puts in-flight messages back ahead of pending ones, marked redelivered, and ignores late results', async () => {
    const queue = new MemoryActivationQueue({ logger: recordingLogger() });
    const first = activationMessage();
    const second = activationMessage();
    const hang = deferred();
    const doomed = await queue.consume(async () => hang.promise, opts);
    await queue.publish(first);
    await queue.publish(second);
    await eventually('first in flight', async () => (await queue.depth()) === 2);
    doomed.crash();
    hang.resolve(); // the dead consumer's handler finishing late must not remove the message
    const seen: Array<[string, Delivery]> = [];
    await queue.consume(async (m, d) => void seen.push([m.activationId, d]), opts);
    await eventually('both delivered', () => seen.length === 2);
    expect(seen).toEqual([
      [first.activationId, { redelivered: true }],
      [second.activationId, { redelivered: false }],
    ]);
    await eventually('drained', async () => (await queue.depth()) === 0);
    await queue.close();
  });

  it('a pending close() resolves when the consumer crashes', async () => {
    const queue = new MemoryActivationQueue({ logger: recordingLogger() });
    const consumer = await queue.consume(async () => new Promise<void>(() => {}), opts);
    await queue.publish(activationMessage());
    await eventually('in flight', async () => (await queue.depth()) === 1);
    const closing = consumer.close();
    consumer.crash();
    await within('close after crash', closing, 1000);
    expect(await queue.depth()).toBe(1); // the message is back in the queue, not lost
  });

  it('logs a handler that throws synchronously and keeps consuming', async () => {
    const logger = recordingLogger();
    const queue = new MemoryActivationQueue({ logger });
    const bad = activationMessage();
    const seen: string[] = [];
    await queue.consume(
      ((m) => {
        seen.push(m.activationId);
        if (m.activationId === bad.activationId) throw new Error('sync throw');
        return Promise.resolve();
      }) as Parameters<typeof queue.consume>[0],
      opts,
    );
    const good = activationMessage();
    await queue.publish(bad);
    await queue.publish(good);
    await eventually('both seen', () => seen.length === 2);
    expect(logger.entries.some((e) => e.level === 'error' && e.fields.activationId === bad.activationId)).toBe(true);
    await queue.close();
  });

  it('keeps other listeners going when one completion listener throws', async () => {
    const queue = new MemoryActivationQueue({ logger: recordingLogger() });
    const got: string[] = [];
    await queue.subscribeCompletions('api', () => {
      throw new Error('listener bug');
    });
    await queue.subscribeCompletions('api', (c) => void got.push(c.activationId));
    const c = completionMessage();
    await queue.publishCompletion('api', c);
    expect(got).toEqual([c.activationId]);
    await queue.close();
  });

  it('rejects with WHIRL_QUEUE_UNAVAILABLE once closed, and refuses a non-positive concurrency', async () => {
    const queue = new MemoryActivationQueue({ logger: recordingLogger() });
    await expect(queue.consume(async () => {}, { invokerId: 'i0', concurrency: 0 })).rejects.toSatisfy((e) =>
      isWhirlError(e, 'WHIRL_BAD_REQUEST'),
    );
    await queue.close();
    await expect(queue.publish(activationMessage())).rejects.toSatisfy((e) =>
      isWhirlError(e, 'WHIRL_QUEUE_UNAVAILABLE'),
    );
  });

  it('close() waits for in-flight handlers of every consumer', async () => {
    const queue = new MemoryActivationQueue({ logger: recordingLogger() });
    const gate = deferred();
    let finished = 0;
    await queue.consume(async () => {
      await gate.promise;
      finished++;
    }, { invokerId: 'i0', concurrency: 4 });
    for (let i = 0; i < 3; i++) await queue.publish(activationMessage());
    await eventually('in flight', async () => (await queue.depth()) === 3);
    const closing = queue.close();
    gate.resolve();
    await closing;
    expect(finished).toBe(3);
  });
});

describe('Fifo', () => {
  it('keeps order across push, shift, unshift and compaction', () => {
    const q = new Fifo<number>();
    const model: number[] = [];
    let next = 0;
    for (let round = 0; round < 5000; round++) {
      const op = (round * 7919) % 10;
      if (op < 6) {
        q.push(next);
        model.push(next++);
      } else if (op < 9) {
        expect(q.shift()).toBe(model.shift());
      } else {
        q.unshift(next);
        model.unshift(next++);
      }
      expect(q.size).toBe(model.length);
    }
    while (model.length > 0) expect(q.shift()).toBe(model.shift());
    expect(q.shift()).toBeUndefined();
    expect(q.size).toBe(0);
  });
});
