import { afterEach, describe, expect, it } from 'vitest';
import { MemoryExecutionStore } from '../../../src/adapters/store/memory/memory-execution-store.js';
import type { CompositionDefinition } from '../../../src/domain/composition.js';
import { initialContext, reduce } from '../../../src/engine/composition/interpreter.js';
import { replayable } from '../../../src/engine/composition/state-writer.js';
import type { ExecutionStore } from '../../../src/ports/execution-store.js';
import { eventually } from '../../helpers/whirl.js';
import { type Harness, identity, startHarness } from './composition-harness.js';

/**
 * A replayable transition (the only pending task completed) publishes its next step while its snapshot is being
 * saved. A crash before the save lands is simulated by an execution store whose saves fail: the engine runs ahead
 * of what is stored; a restarted engine resumes from the older snapshot, replays, and must run no step twice.
 */
function flakyStore() {
  const inner = new MemoryExecutionStore();
  const state = { failSaves: false, failed: 0 };
  const store: ExecutionStore = {
    create: (doc) => inner.create(doc),
    save: async (id, update, history) => {
      if (state.failSaves && update.status === 'running') {
        state.failed++;
        throw new Error('store down');
      }
      return inner.save(id, update, history);
    },
    get: (id) => inner.get(id),
    listActive: () => inner.listActive(),
    list: (q) => inner.list(q),
    // A transition's state is stored with its history entries (a snapshot every so often): those writes fail too.
    appendHistory: async (id, entries, transitions) => {
      if (state.failSaves && transitions && transitions.length > 0) {
        state.failed++;
        throw new Error('store down');
      }
      return inner.appendHistory(id, entries, transitions);
    },
    transitions: (id, afterN) => inner.transitions(id, afterN),
    history: (id, page) => inner.history(id, page),
    close: () => inner.close(),
  };
  return { store, state };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const start = (def: CompositionDefinition) =>
  h!.engine.startExecution({ identity, kind: 'composition', name: 'c', version: '1', definition: def, input: { n: 0 }, blocking: false, waitMs: 0 });
const succeeded = (id: string) =>
  eventually(async () => ((await h!.executions.get(id))?.status === 'succeeded' ? true : undefined), 15_000);

describe('dispatch concurrent with the snapshot save', () => {
  it.each([0, 30])('a sequential chain runs ahead of unsaved snapshots (save delay %i ms); after a restart every step ran exactly once', async (saveDelayMs) => {
    const { store, state } = flakyStore();
    h = await startHarness({ executions: store, pollMs: 100, saveDelayMs });
    await h.action('step', (p) => new Promise((r) => setTimeout(() => r({ n: (p.n ?? 0) + 1 }), 20)));
    const def: CompositionDefinition = { whirl: '1', root: { type: 'repeat', times: 8, do: { type: 'task', action: 'step' } } };
    const { activationId } = await start(def);
    await eventually(async () => (h!.runs.length >= 2 ? true : undefined));
    state.failSaves = true; // from here on the old engine's snapshots never land
    await eventually(async () => (h!.runs.length >= 5 ? true : undefined));
    expect(state.failed).toBeGreaterThan(0);
    await h.restartEngine(); // resumes from a snapshot several steps behind what ran
    state.failSaves = false;
    await succeeded(activationId);
    expect((await h.executions.get(activationId))?.result).toEqual({ n: 8 });
    const ids = h.runs.map((m) => m.activationId);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    const record = await h.activations.get('guest', activationId);
    expect(record?.logs).toEqual(ids);
    const history = await h.executions.history(activationId, { afterSeq: 0, limit: 1000 });
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1));
    expect(history.filter((e) => e.type === 'TaskDispatched').map((e) => e.activationId)).toEqual(ids);
  });

  it('a transition with a choice of what comes next (parallel tasks) still saves before it dispatches', async () => {
    const { store, state } = flakyStore();
    h = await startHarness({ executions: store, pollMs: 100 });
    for (const name of ['a', 'b', 'c', 'd']) await h.action(name, () => ({ name }));
    const def: CompositionDefinition = {
      whirl: '1',
      root: {
        type: 'sequence',
        steps: [
          { type: 'task', action: 'a' },
          { type: 'parallel', branches: [{ type: 'task', action: 'b' }, { type: 'task', action: 'c' }] },
          { type: 'task', action: 'd' },
        ],
      },
    };
    state.failSaves = true;
    const { activationId } = await start(def);
    await eventually(async () => (h!.runs.length >= 3 ? true : undefined));
    // b's and c's completions are not replayable: their unsaved transitions dispatch nothing (d never runs).
    await eventually(async () => (state.failed >= 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 150));
    expect(h.runs.map((m) => m.action.name).sort()).toEqual(['a', 'b', 'c']);
    await h.restartEngine();
    state.failSaves = false;
    await succeeded(activationId);
    expect(h.runs.map((m) => m.action.name).sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('replayable', () => {
  const chain: CompositionDefinition = {
    whirl: '1',
    root: { type: 'sequence', steps: [{ type: 'task', action: 'a' }, { type: 'task', action: 'a' }] },
  };
  const done = (activationId: string) =>
    ({ type: 'task.completed', activationId, outcome: { ok: true, value: {} }, now: 1, rand: 0 }) as const;

  it('is true for the completion of the only pending task that dispatches the next', () => {
    const ctx = initialContext(chain, 'e'.repeat(32), {}, 0);
    const [first] = Object.keys(ctx.tasks);
    const event = done(first!);
    expect(replayable(ctx, event, reduce(chain, ctx, event))).toBe(true);
  });

  it('is false with a timer armed, for a last step that dispatches nothing, and for other events', () => {
    const timed: CompositionDefinition = { ...chain, timeoutMs: 60_000 };
    const ctx = initialContext(timed, 'e'.repeat(32), {}, 0);
    const [first] = Object.keys(ctx.tasks);
    expect(replayable(ctx, done(first!), reduce(timed, ctx, done(first!)))).toBe(false);

    const one: CompositionDefinition = { whirl: '1', root: { type: 'task', action: 'a' } };
    const c1 = initialContext(one, 'f'.repeat(32), {}, 0);
    const [only] = Object.keys(c1.tasks);
    expect(replayable(c1, done(only!), reduce(one, c1, done(only!)))).toBe(false);

    const c2 = initialContext(chain, 'a'.repeat(32), {}, 0);
    const cancel = { type: 'cancel', now: 1 } as const;
    expect(replayable(c2, cancel, reduce(chain, c2, cancel))).toBe(false);
  });
});
