import { afterEach, describe, expect, it } from 'vitest';
import type { ActivationMessage, CompletionMessage } from '../../src/domain/activation-message.js';
import { isWhirlError } from '../../src/errors/whirl-error.js';
import type { ActivationQueue, Delivery } from '../../src/ports/activation-queue.js';
import type { Logger } from '../../src/ports/logger.js';
import {
  activationMessage,
  completionMessage,
  deferred,
  eventually,
  recordingLogger,
  sleep,
  within,
} from './activation-queue.support.js';

/** A consumer whose handler never settles, and that can die without a graceful close. */
export interface DoomedConsumer {
  /** Resolves with the activation id its handler started on. */
  received: Promise<string>;
  /** Dies now, as a killed process would: no graceful close. */
  kill(): Promise<void>;
}

export interface ActivationQueueContractHooks {
  /** Starts a doomed consumer on the messages of `queue` (which `makeQueue` made), as invoker `invokerId`. */
  startDoomedConsumer(queue: ActivationQueue, invokerId?: string): Promise<DoomedConsumer>;
  /** The longest a crashed consumer's message may take to reach another consumer. */
  redeliveryTimeoutMs: number;
  /** A queue whose backend cannot be reached. Absent for adapters without a backend: the case is not run. */
  makeUnreachableQueue?: (logger: Logger) => Promise<ActivationQueue>;
  /** Runs after the queue of each test is closed (e.g. to delete its Redis keys). */
  afterClose?: (queue: ActivationQueue) => Promise<void>;
}

interface Received {
  msg: ActivationMessage;
  delivery: Delivery;
}

/** The ActivationQueue contract (src/ports/activation-queue.ts), run against every adapter. */
export function activationQueueContract(
  name: string,
  makeQueue: (logger: Logger) => Promise<ActivationQueue>,
  hooks: ActivationQueueContractHooks,
): void {
  describe(`ActivationQueue contract: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    async function setup() {
      const logger = recordingLogger();
      const queue = await makeQueue(logger);
      cleanups.push(async () => {
        await queue.close();
        await hooks.afterClose?.(queue);
      });
      return { queue, logger };
    }

    /** A consumer that records every delivery; `gate` (if given) holds each handler until it resolves. */
    async function recordingConsumer(
      queue: ActivationQueue,
      concurrency = 1,
      gate?: Promise<void>,
      route: { invokerId?: string; shared?: boolean } = {},
    ) {
      const received: Received[] = [];
      let active = 0;
      let maxActive = 0;
      const consumer = await queue.consume(
        async (msg, delivery) => {
          received.push({ msg, delivery });
          active++;
          maxActive = Math.max(maxActive, active);
          try {
            await gate;
          } finally {
            active--;
          }
        },
        { invokerId: route.invokerId ?? 'invoker-test', concurrency, ...(route.shared === false ? { shared: false } : {}) },
      );
      const countOf = (id: string) => received.filter((r) => r.msg.activationId === id).length;
      return { consumer, received, countOf, active: () => active, maxActive: () => maxActive };
    }

    it('delivers a published message to a handler, unchanged and not redelivered', async () => {
      const { queue } = await setup();
      const { received } = await recordingConsumer(queue);
      const msg = activationMessage();
      await queue.publish(msg);
      await eventually('delivery', () => received.length === 1);
      expect(received[0]!.msg).toEqual(msg);
      expect(received[0]!.delivery).toEqual({ redelivered: false });
    });

    it('delivers a duplicate publish (same activationId) once, while pending and while in flight', async () => {
      const { queue } = await setup();
      const msg = activationMessage();
      await Promise.all([queue.publish(msg), queue.publish(msg)]);
      await queue.publish({ ...msg });
      expect(await queue.depth()).toBe(1);
      const gate = deferred();
      const { received, countOf } = await recordingConsumer(queue, 1, gate.promise);
      await eventually('first delivery', () => received.length === 1);
      await queue.publish(msg); // in flight now
      gate.resolve();
      const barrier = activationMessage();
      await queue.publish(barrier);
      await eventually('barrier delivery', () => countOf(barrier.activationId) === 1);
      expect(countOf(msg.activationId)).toBe(1);
      await eventually('queue drained', async () => (await queue.depth()) === 0);
    });

    it('never runs more handlers at once than the consumer concurrency', async () => {
      const { queue } = await setup();
      const gate = deferred();
      const c = await recordingConsumer(queue, 3, gate.promise);
      const msgs = Array.from({ length: 8 }, () => activationMessage());
      for (const m of msgs) await queue.publish(m);
      await eventually('three handlers in flight', () => c.active() === 3);
      await sleep(200);
      expect(c.active()).toBe(3);
      expect(c.received).toHaveLength(3);
      gate.resolve();
      await eventually('all delivered', () => c.received.length === msgs.length);
      expect(c.maxActive()).toBe(3);
      expect(new Set(c.received.map((r) => r.msg.activationId))).toEqual(new Set(msgs.map((m) => m.activationId)));
    });

    it('routes completions to the subscriber of the replyTo instance only', async () => {
      const { queue } = await setup();
      const toA: CompletionMessage[] = [];
      const toB: CompletionMessage[] = [];
      const subA = await queue.subscribeCompletions('api-a', (c) => toA.push(c));
      await queue.subscribeCompletions('api-b', (c) => toB.push(c));
      const forA = completionMessage();
      const forB = completionMessage();
      await queue.publishCompletion('api-a', forA);
      await queue.publishCompletion('api-b', forB);
      await queue.publishCompletion('api-nobody', completionMessage());
      await eventually('both completions', () => toA.length === 1 && toB.length === 1);
      expect(toA).toEqual([forA]);
      expect(toB).toEqual([forB]);

      await subA.close();
      await queue.publishCompletion('api-a', completionMessage());
      const again = completionMessage();
      await queue.publishCompletion('api-b', again);
      await eventually('second completion to B', () => toB.length === 2);
      await sleep(50);
      expect(toA).toEqual([forA]);
      expect(toB).toEqual([forB, again]);
    });

    it('logs a rejecting handler and does not redeliver its message', async () => {
      const { queue, logger } = await setup();
      const failing = activationMessage();
      const seen: string[] = [];
      await queue.consume(
        async (msg) => {
          seen.push(msg.activationId);
          if (msg.activationId === failing.activationId) throw new Error('handler blew up');
        },
        { invokerId: 'invoker-test', concurrency: 1 },
      );
      await queue.publish(failing);
      const barrier = activationMessage();
      await queue.publish(barrier);
      await eventually('barrier delivery', () => seen.includes(barrier.activationId));
      await eventually('queue drained', async () => (await queue.depth()) === 0);
      await sleep(100);
      expect(seen.filter((id) => id === failing.activationId)).toHaveLength(1);
      expect(
        logger.entries.some((e) => e.level === 'error' && e.fields.activationId === failing.activationId),
      ).toBe(true);
    });

    it('redelivers the message of a consumer that dies mid-handler, marked redelivered, exactly once', async () => {
      const { queue } = await setup();
      const doomed = await hooks.startDoomedConsumer(queue);
      const msg = activationMessage();
      await queue.publish(msg);
      expect(await within('doomed consumer received', doomed.received, 10_000)).toBe(msg.activationId);
      await doomed.kill();
      const c = await recordingConsumer(queue);
      await eventually('redelivery', () => c.received.length === 1, hooks.redeliveryTimeoutMs);
      expect(c.received[0]!.msg).toEqual(msg);
      expect(c.received[0]!.delivery).toEqual({ redelivered: true });
      await eventually('queue drained', async () => (await queue.depth()) === 0);
      await sleep(100);
      expect(c.received).toHaveLength(1);
    });

    it('delivers a message placed on an invoker only to consumers of that invoker; shared work to any', async () => {
      const { queue } = await setup();
      const a = await recordingConsumer(queue, 4, undefined, { invokerId: 'inv-a' });
      const b = await recordingConsumer(queue, 4, undefined, { invokerId: 'inv-b' });
      const toB = Array.from({ length: 6 }, () => activationMessage());
      for (const m of toB) await queue.publish(m, { invokerId: 'inv-b' });
      const shared = activationMessage();
      await queue.publish(shared);
      await eventually('placed and shared deliveries', () => b.received.length + a.received.length === 7);
      expect(a.received.map((r) => r.msg.activationId)).not.toEqual(expect.arrayContaining([toB[0]!.activationId]));
      for (const m of toB) expect(b.countOf(m.activationId)).toBe(1);
      expect(a.countOf(shared.activationId) + b.countOf(shared.activationId)).toBe(1);
    });

    it('keeps a placed message until a consumer of its invoker starts', async () => {
      const { queue } = await setup();
      const other = await recordingConsumer(queue, 2, undefined, { invokerId: 'inv-other' });
      const msg = activationMessage();
      await queue.publish(msg, { invokerId: 'inv-late' });
      await sleep(300);
      expect(other.received).toHaveLength(0);
      expect(await queue.depth()).toBe(1);
      const late = await recordingConsumer(queue, 1, undefined, { invokerId: 'inv-late' });
      await eventually('placed delivery', () => late.received.length === 1);
      expect(late.received[0]!.msg).toEqual(msg);
      expect(late.received[0]!.delivery).toEqual({ redelivered: false });
    });

    it('a consumer with shared: false takes only the messages placed on its invoker', async () => {
      const { queue } = await setup();
      const own = await recordingConsumer(queue, 2, undefined, { invokerId: 'inv-own', shared: false });
      const placed = activationMessage();
      const shared = activationMessage();
      await queue.publish(shared);
      await queue.publish(placed, { invokerId: 'inv-own' });
      await eventually('placed delivery', () => own.received.length === 1);
      await sleep(300);
      expect(own.received.map((r) => r.msg.activationId)).toEqual([placed.activationId]);
      const any = await recordingConsumer(queue, 1);
      await eventually('shared delivery', () => any.received.length === 1);
      expect(any.received[0]!.msg.activationId).toBe(shared.activationId);
    });

    it('redelivers a placed message whose consumer died to the next consumer of that invoker (adoption)', async () => {
      const { queue } = await setup();
      const doomed = await hooks.startDoomedConsumer(queue, 'inv-dying');
      const bystander = await recordingConsumer(queue, 1, undefined, { invokerId: 'inv-bystander' });
      const msg = activationMessage();
      await queue.publish(msg, { invokerId: 'inv-dying' });
      expect(await within('doomed consumer received', doomed.received, 10_000)).toBe(msg.activationId);
      await doomed.kill();
      const adopter = await recordingConsumer(queue, 1, undefined, { invokerId: 'inv-dying', shared: false });
      await eventually('redelivery', () => adopter.received.length === 1, hooks.redeliveryTimeoutMs);
      expect(adopter.received[0]!.delivery).toEqual({ redelivered: true });
      expect(bystander.received).toHaveLength(0);
    });

    it('counts published and unfinished messages in depth()', async () => {
      const { queue } = await setup();
      expect(await queue.depth()).toBe(0);
      const msgs = [activationMessage(), activationMessage(), activationMessage()];
      for (const m of msgs) await queue.publish(m);
      expect(await queue.depth()).toBe(3);
      const gate = deferred();
      const c = await recordingConsumer(queue, 1, gate.promise);
      await eventually('one in flight', () => c.received.length === 1);
      expect(await queue.depth()).toBe(3); // in flight still counts
      gate.resolve();
      await eventually('all delivered', () => c.received.length === 3);
      await eventually('depth back to zero', async () => (await queue.depth()) === 0);
    });

    it('closing a consumer waits for its in-flight handlers and stops its deliveries', async () => {
      const { queue } = await setup();
      const gate = deferred();
      const c = await recordingConsumer(queue, 2, gate.promise);
      await queue.publish(activationMessage());
      await eventually('in flight', () => c.active() === 1);
      let closed = false;
      const closing = c.consumer.close().then(() => (closed = true));
      await sleep(100);
      expect(closed).toBe(false);
      gate.resolve();
      await within('consumer close', closing, 5000);
      expect(c.active()).toBe(0);
      await queue.publish(activationMessage());
      await sleep(300);
      expect(c.received).toHaveLength(1);
      expect(await queue.depth()).toBe(1);
    });

    const unreachable = hooks.makeUnreachableQueue;
    if (unreachable) {
      it('rejects publish with WHIRL_QUEUE_UNAVAILABLE within seconds when the backend is unreachable', async () => {
        const queue = await unreachable(recordingLogger());
        cleanups.push(() => queue.close());
        const started = Date.now();
        const err = await queue.publish(activationMessage()).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isWhirlError(err, 'WHIRL_QUEUE_UNAVAILABLE')).toBe(true);
        expect(Date.now() - started).toBeLessThan(5000);
      });
    }
  });
}
