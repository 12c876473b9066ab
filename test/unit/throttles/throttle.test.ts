import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryThrottleCounters } from '../../../src/adapters/counters/memory-throttle-counters.js';
import { RedisThrottleCounters } from '../../../src/adapters/counters/redis-throttle-counters.js';
import type { ActivationMessage, CompletionMessage } from '../../../src/domain/activation-message.js';
import type { ActivationId } from '../../../src/domain/ids.js';
import { NamespaceThrottle } from '../../../src/engine/throttles/namespace-throttle.js';
import type { ThrottleSettings } from '../../../src/engine/throttles/throttle-limits.js';
import { ThrottledQueue } from '../../../src/engine/throttles/throttled-queue.js';
import { isWhirlError, WhirlError } from '../../../src/errors/whirl-error.js';
import type { ActivationQueue } from '../../../src/ports/activation-queue.js';
import type { Clock } from '../../../src/ports/clock.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { ThrottleCounters } from '../../../src/ports/throttle-counters.js';
import { describeWith, serviceUrl } from '../../helpers/services.js';

function fakeClock(start = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let now = start - (start % 60_000);
  return {
    now: () => now,
    setTimeout: () => ({ cancel() {} }),
    advance(ms) {
      now += ms;
    },
  };
}

const settings = (over: Partial<ThrottleSettings> = {}): ThrottleSettings => ({
  invocationsPerMinute: 0,
  concurrentInvocations: 0,
  firesPerMinute: 0,
  namespaces: {},
  ...over,
});

async function refusal(p: Promise<unknown>): Promise<WhirlError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof WhirlError)) throw new Error(`expected a WhirlError, got ${String(e)}`);
  return e;
}

describe('NamespaceThrottle', () => {
  it('admits exactly invocationsPerMinute per clock minute, then 429 with the count', async () => {
    const clock = fakeClock();
    const t = new NamespaceThrottle({ counters: new MemoryThrottleCounters(), settings: settings({ invocationsPerMinute: 3 }), clock });
    for (let i = 0; i < 3; i++) await t.admitInvocation('ns', `a${i}`, 1000);
    const e = await refusal(t.admitInvocation('ns', 'a3', 1000));
    expect(e.code).toBe('WHIRL_THROTTLED_RATE');
    expect(e.message).toBe(new WhirlError('WHIRL_THROTTLED_RATE', [4, 3]).message);
    await t.admitInvocation('other', 'b', 1000);
    clock.advance(60_000);
    await t.admitInvocation('ns', 'a4', 1000);
  });

  it('admits exactly concurrentInvocations in flight; a release or an ended lease frees a slot', async () => {
    const clock = fakeClock();
    const t = new NamespaceThrottle({ counters: new MemoryThrottleCounters(), settings: settings({ concurrentInvocations: 2 }), clock });
    await t.admitInvocation('ns', 'a', 10_000);
    await t.admitInvocation('ns', 'b', 10_000);
    const e = await refusal(t.admitInvocation('ns', 'c', 10_000));
    expect(e.code).toBe('WHIRL_THROTTLED_CONCURRENT');
    expect(e.message).toBe(new WhirlError('WHIRL_THROTTLED_CONCURRENT', [2, 2]).message);
    await t.release('ns', 'a');
    await t.admitInvocation('ns', 'c', 10_000);
    clock.advance(10_000);
    await t.admitInvocation('ns', 'd', 10_000);
    expect(await t.inFlight('ns')).toBe(1);
  });

  it('admits exactly firesPerMinute trigger fires', async () => {
    const clock = fakeClock();
    const t = new NamespaceThrottle({ counters: new MemoryThrottleCounters(), settings: settings({ firesPerMinute: 2 }), clock });
    await t.admitFire('ns');
    await t.admitFire('ns');
    expect((await refusal(t.admitFire('ns'))).code).toBe('WHIRL_THROTTLED_RATE');
    await t.admitInvocation('ns', 'x', 1000); // invocations are not limited here
  });

  it('applies per-namespace overrides field by field', async () => {
    const clock = fakeClock();
    const t = new NamespaceThrottle({
      counters: new MemoryThrottleCounters(),
      settings: settings({ invocationsPerMinute: 1, firesPerMinute: 5, namespaces: { big: { invocationsPerMinute: 3 } } }),
      clock,
    });
    expect(t.limits('big')).toEqual({ invocationsPerMinute: 3, concurrentInvocations: 0, firesPerMinute: 5 });
    for (let i = 0; i < 3; i++) await t.admitInvocation('big', `b${i}`, 1000);
    await t.admitInvocation('small', 's0', 1000);
    expect((await refusal(t.admitInvocation('small', 's1', 1000))).code).toBe('WHIRL_THROTTLED_RATE');
  });
});

describeWith(['redis'], 'NamespaceThrottle shared across API processes', () => {
  it('two throttles on the same Redis share one limit', async () => {
    const prefix = `whirl-test-${randomUUID().slice(0, 8)}:throttle`;
    const make = () => new RedisThrottleCounters({ redisUrl: serviceUrl('redis') ?? '', prefix, logger: silentLogger });
    const [c1, c2] = [make(), make()];
    try {
      const clock = fakeClock();
      const s = settings({ invocationsPerMinute: 4, concurrentInvocations: 3 });
      const t1 = new NamespaceThrottle({ counters: c1, settings: s, clock });
      const t2 = new NamespaceThrottle({ counters: c2, settings: s, clock });
      await t1.admitInvocation('ns', 'a', 60_000);
      await t2.admitInvocation('ns', 'b', 60_000);
      await t1.admitInvocation('ns', 'c', 60_000);
      expect((await refusal(t2.admitInvocation('ns', 'd', 60_000))).code).toBe('WHIRL_THROTTLED_CONCURRENT');
      await t2.release('ns', 'a');
      // The 5th request this minute, whichever process takes it.
      expect((await refusal(t1.admitInvocation('ns', 'e', 60_000))).code).toBe('WHIRL_THROTTLED_RATE');
    } finally {
      await Promise.all([c1.close(), c2.close()]);
    }
  });
});

describe('ThrottledQueue', () => {
  function innerQueue() {
    const published: ActivationMessage[] = [];
    let listener: ((c: CompletionMessage) => void) | undefined;
    const queue: ActivationQueue = {
      publish: async (m) => void published.push(m),
      consume: async () => ({ close: async () => {} }),
      publishCompletion: async () => {},
      subscribeCompletions: async (_id, l) => {
        listener = l;
        return { close: async () => {} };
      },
      depth: async () => published.length,
      close: async () => {},
    };
    return { queue, published, complete: (c: CompletionMessage) => listener?.(c) };
  }
  const msg = (id: string, extra: Partial<ActivationMessage> = {}): ActivationMessage =>
    ({
      activationId: id as ActivationId,
      namespace: 'ns',
      action: { limits: { timeout: 1000 } },
      ...extra,
    }) as ActivationMessage;
  const completion = (id: string): CompletionMessage => ({ activationId: id as ActivationId, namespace: 'ns' });

  async function setup(counters: ThrottleCounters = new MemoryThrottleCounters()) {
    const inner = innerQueue();
    const throttle = new NamespaceThrottle({ counters, settings: settings({ concurrentInvocations: 1 }), clock: fakeClock() });
    const queue = new ThrottledQueue(inner.queue, throttle, silentLogger);
    const seen: string[] = [];
    await queue.subscribeCompletions('api-1', (c) => seen.push(c.activationId));
    return { inner, queue, seen };
  }

  it('routes non-blocking completions back to this process and frees the slot when they arrive', async () => {
    const { inner, queue, seen } = await setup();
    await queue.publish(msg('a'));
    expect(inner.published[0]?.replyTo).toBe('api-1');
    expect(inner.published[0]?.ackOnly).toBe(true);
    const e = await refusal(queue.publish(msg('b')));
    expect(isWhirlError(e, 'WHIRL_THROTTLED_CONCURRENT')).toBe(true);
    expect(inner.published).toHaveLength(1);
    inner.complete(completion('a'));
    expect(seen).toEqual(['a']);
    await new Promise((r) => setTimeout(r, 0));
    await queue.publish(msg('b'));
    expect(inner.published).toHaveLength(2);
  });

  it('does not throttle steps of sequences and compositions (messages with a cause)', async () => {
    const { inner, queue } = await setup();
    await queue.publish(msg('a'));
    await queue.publish(msg('s1', { cause: 'a' }));
    await queue.publish(msg('s2', { cause: 'a' }));
    expect(inner.published.map((m) => m.activationId)).toEqual(['a', 's1', 's2']);
  });

  it('frees the slot when the queue refuses the message', async () => {
    const { inner, queue } = await setup();
    inner.queue.publish = async () => {
      throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', ['down']);
    };
    expect((await refusal(queue.publish(msg('a')))).code).toBe('WHIRL_QUEUE_UNAVAILABLE');
    inner.queue.publish = async (m) => void inner.published.push(m);
    await queue.publish(msg('b'));
    expect(inner.published).toHaveLength(1);
  });
});
