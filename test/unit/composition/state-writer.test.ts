import { describe, expect, it } from 'vitest';
import { MemoryExecutionStore } from '../../../src/adapters/store/memory/memory-execution-store.js';
import { StateWriter } from '../../../src/engine/composition/state-writer.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { ExecutionDoc, HistoryRecord } from '../../../src/ports/execution-store.js';
import { silentLogger } from '../../../src/ports/logger.js';

/** A clock whose timers fire only when the test says so. */
function manualClock() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  const clock: Clock = {
    now: () => now,
    setTimeout(fn, ms) {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return { cancel: () => void (t.live = false) };
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.live && x.at <= now)) {
      t.live = false;
      t.fn();
    }
  };
  return { clock, advance, pending: () => timers.filter((t) => t.live).length };
}

/** The store, counting the writes the writer makes. */
async function countingStore() {
  const store = new MemoryExecutionStore();
  await store.create({ id: 'x', status: 'running', snapshot: 0 } as unknown as ExecutionDoc);
  const calls = { saves: [] as unknown[], appends: 0 };
  const save = store.save.bind(store);
  const append = store.appendHistory.bind(store);
  store.save = async (id, update, history) => {
    calls.saves.push(update.snapshot);
    return save(id, update, history);
  };
  store.appendHistory = async (id, entries) => {
    calls.appends++;
    return append(id, entries);
  };
  return { store, calls };
}

const entry = (seq: number) => ({ seq, type: 'TaskDispatched', at: seq }) as unknown as HistoryRecord;
const settle = () => new Promise((r) => setTimeout(r, 5));

describe('StateWriter save delay', () => {
  it('holds replayable writes for the delay, then stores the latest snapshot once with every entry', async () => {
    const { clock, advance } = manualClock();
    const { store, calls } = await countingStore();
    const w = new StateWriter('x', { executions: store, clock, logger: silentLogger, saveDelayMs: 20 }, []);
    const writes = [1, 2, 3].map((n) => w.write(n, [entry(n)], false));
    await settle();
    expect(calls.saves).toEqual([]);
    advance(20);
    await Promise.all(writes);
    expect(calls.saves).toEqual([3]);
    expect(calls.appends).toBe(0); // the entries went with the snapshot: one store request
    expect((await store.history('x', { afterSeq: 0, limit: 10 })).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('an ordered write sends the waiting ones with it, at once', async () => {
    const { clock, pending } = manualClock();
    const { store, calls } = await countingStore();
    const w = new StateWriter('x', { executions: store, clock, logger: silentLogger, saveDelayMs: 20 }, []);
    const delayed = w.write(1, [entry(1)], false);
    await w.write(2, [entry(2)], true);
    await delayed;
    expect(calls.saves).toEqual([2]);
    expect(pending()).toBe(0);
    await w.idle();
    expect((await store.history('x', { afterSeq: 0, limit: 10 })).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('idle() sends a waiting write without waiting for its timer', async () => {
    const { clock } = manualClock();
    const { store, calls } = await countingStore();
    const w = new StateWriter('x', { executions: store, clock, logger: silentLogger, saveDelayMs: 1000 }, []);
    void w.write(7, [entry(1)], false);
    await w.idle();
    expect(calls.saves).toEqual([7]);
  });

  it('without a delay every write goes out at once', async () => {
    const { clock } = manualClock();
    const { store, calls } = await countingStore();
    const w = new StateWriter('x', { executions: store, clock, logger: silentLogger }, []);
    await w.write(1, [entry(1)], false);
    expect(calls.saves).toEqual([1]);
  });
});
