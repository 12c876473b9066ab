import { afterEach, describe, expect, it } from 'vitest';
import type { CompositionDefinition } from '../../../src/domain/composition.js';
import { initialContext, reduce } from '../../../src/engine/composition/interpreter.js';
import type { Clock } from '../../../src/ports/clock.js';
import { eventually } from '../../helpers/whirl.js';
import { type Harness, identity, startHarness } from './composition-harness.js';

/** A clock that only moves when told to. */
function manualClock() {
  let now = 1_000_000;
  const timers = new Set<{ at: number; fn: () => void }>();
  const clock: Clock & { advance(ms: number): Promise<void>; pending(): number } = {
    now: () => now,
    setTimeout(fn, ms) {
      const t = { at: now + ms, fn };
      timers.add(t);
      return { cancel: () => timers.delete(t) };
    },
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.delete(due);
        now = Math.max(now, due.at);
        due.fn();
        await new Promise((r) => setTimeout(r, 5));
      }
      now = until;
    },
    pending: () => timers.size,
  };
  return clock;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('retries under an injected clock', () => {
  it('waits intervalMs · backoffRate^n, capped at maxDelayMs, before each attempt', async () => {
    const clock = manualClock();
    h = await startHarness({ clock, pollMs: 60_000 });
    let calls = 0;
    await h.action('flaky', () => {
      calls++;
      if (calls < 4) throw { statusCode: 1, error: 'again' };
      return { calls };
    });
    const def: CompositionDefinition = {
      whirl: '1',
      root: { type: 'task', action: 'flaky', retry: { maxAttempts: 5, intervalMs: 1000, backoffRate: 2, maxDelayMs: 3000 } },
    };
    const { activationId } = await h.engine.startExecution({
      identity, kind: 'composition', name: 'c', version: '1', definition: def, input: {}, blocking: false, waitMs: 0,
    });
    // The retry timer is armed once the failure's transition is stored with its history.
    const retriesScheduled = (k: number) =>
      eventually(async () => {
        const history = await h!.executions.history(activationId, { afterSeq: 0, limit: 1000 });
        return history.filter((e) => e.type === 'RetryScheduled').length >= k ? true : undefined;
      });
    await retriesScheduled(1);
    await clock.advance(999);
    expect(calls).toBe(1); // not before the first interval
    await clock.advance(1);
    await retriesScheduled(2);
    expect(calls).toBe(2);
    await clock.advance(1999);
    expect(calls).toBe(2);
    await clock.advance(1);
    await retriesScheduled(3);
    expect(calls).toBe(3);
    await clock.advance(3000); // 4000 capped at 3000
    await eventually(async () => ((await h!.executions.get(activationId))?.status === 'succeeded' ? true : undefined));
    const history = await h.executions.history(activationId, { afterSeq: 0, limit: 1000 });
    const retries = history.filter((e) => e.type === 'RetryScheduled');
    expect(retries.map((e) => (e.resumeAt as number) - (e.at as number))).toEqual([1000, 2000, 3000]);
  });
});

describe('engine restart mid-execution', () => {
  it('resumes from the persisted snapshot; every step activation exists exactly once', async () => {
    h = await startHarness({ pollMs: 100 });
    await h.action('step', (p) => new Promise((r) => setTimeout(() => r({ n: (p.n ?? 0) + 1 }), 40)));
    const def: CompositionDefinition = {
      whirl: '1',
      root: { type: 'repeat', times: 8, do: { type: 'task', action: 'step' } },
    };
    const { activationId } = await h.engine.startExecution({
      identity, kind: 'composition', name: 'c', version: '1', definition: def, input: { n: 0 }, blocking: false, waitMs: 0,
    });
    await eventually(async () => (h!.runs.length >= 3 ? true : undefined));
    await h.restartEngine(); // the old engine's completions are lost; the new one must find records itself
    await eventually(async () => ((await h!.executions.get(activationId))?.status === 'succeeded' ? true : undefined), 15_000);
    expect((await h.executions.get(activationId))?.result).toEqual({ n: 8 });
    const ids = h.runs.map((m) => m.activationId);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    for (const id of ids) expect(await h.activations.get('guest', id)).toBeDefined();
    const record = await h.activations.get('guest', activationId);
    expect(record?.logs).toEqual(ids);
  });

  it('republishes a step whose dispatch was persisted but never reached the queue', async () => {
    h = await startHarness({ pollMs: 100 });
    await h.action('once', () => ({ ok: true }));
    await h.pauseInvoker();
    const def: CompositionDefinition = { whirl: '1', root: { type: 'task', action: 'once' } };
    const { activationId } = await h.engine.startExecution({
      identity, kind: 'composition', name: 'c', version: '1', definition: def, input: {}, blocking: false, waitMs: 0,
    });
    // Crash + lost queue message: a new queue would not have it; the memory queue still does, and publishing the
    // same activation id again must not run it twice.
    await h.restartEngine();
    await h.resumeInvoker();
    await eventually(async () => ((await h!.executions.get(activationId))?.status === 'succeeded' ? true : undefined), 15_000);
    expect(h.runs).toHaveLength(1);
  });

  it('applies a duplicate completion once', () => {
    const def: CompositionDefinition = {
      whirl: '1',
      root: { type: 'sequence', steps: [{ type: 'task', action: 'a' }, { type: 'task', action: 'a' }] },
    };
    const ctx0 = initialContext(def, 'e'.repeat(32), {}, 0);
    const [first] = Object.keys(ctx0.tasks);
    const done = { type: 'task.completed' as const, activationId: first!, outcome: { ok: true as const, value: { v: 1 } }, now: 1, rand: 0 };
    const ctx1 = reduce(def, ctx0, done);
    expect(Object.keys(ctx1.tasks)).toHaveLength(1);
    expect(ctx1.outbox.some((e) => e.type === 'dispatch')).toBe(true);
    const ctx2 = reduce(def, ctx1, done);
    expect(ctx2.outbox).toEqual([]);
    // Only the transition count moves (the duplicate is a transition that changes nothing).
    expect({ ...ctx2, outbox: [], transitions: 0 }).toEqual({ ...ctx1, outbox: [], transitions: 0 });
  });
});
