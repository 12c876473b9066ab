import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryExecutionStore } from '../../../src/adapters/store/memory/memory-execution-store.js';
import type { CompositionDefinition, CompositionNode } from '../../../src/domain/composition.js';
import type { ExecutionStore } from '../../../src/ports/execution-store.js';
import { type Harness, startHarness } from './composition-harness.js';

/**
 * Persistence proportional to change: a transition appends its event and history entries, and the snapshot is
 * rewritten only every so many transitions or bytes (state-writer.ts). An execution store that counts the JSON
 * bytes of every write shows it.
 */
function countingStore() {
  const inner = new MemoryExecutionStore();
  const bytes = { total: 0 };
  const count = (...values: unknown[]) => {
    for (const v of values) bytes.total += Buffer.byteLength(JSON.stringify(v ?? null));
  };
  const store: ExecutionStore = {
    create: (doc) => (count(doc), inner.create(doc)),
    save: (id, update, history) => (count(update, history), inner.save(id, update, history)),
    get: (id) => inner.get(id),
    listActive: () => inner.listActive(),
    list: (q) => inner.list(q),
    appendHistory: (id, entries, transitions) => (count(entries, transitions), inner.appendHistory(id, entries, transitions)),
    transitions: (id, afterN) => inner.transitions(id, afterN),
    history: (id, page) => inner.history(id, page),
    close: () => inner.close(),
  };
  return { store, bytes };
}

const def = (root: CompositionNode): CompositionDefinition => ({ whirl: '1', root });
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, name: `item-${i}` }));

describe('bytes written grow with what happens, not with the state at every step', () => {
  const counting = countingStore();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ executions: counting.store });
    await h.action('tag', (p) => ({ id: p.id, tagged: true }));
  });
  afterAll(() => h.stop());

  const measure = async (d: CompositionDefinition, input: unknown) => {
    const before = counting.bytes.total;
    const out = await h.run(d, input, 10);
    expect(out.doc?.status).toBe('succeeded');
    return { written: counting.bytes.total - before, finalState: Buffer.byteLength(JSON.stringify(out.doc)) };
  };

  it('a map over 2,000 pass items writes at most 10x its final state', async () => {
    const { written, finalState } = await measure(def({ type: 'map', do: { type: 'pass', value: { id: { var: 'input.id' }, ok: true } } }), items(2000));
    console.log(`map of 2,000 pass items: ${written} bytes written, final state ${finalState} bytes (${(written / finalState).toFixed(1)}x)`);
    expect(written).toBeLessThanOrEqual(10 * finalState);
  });

  it('a map over task items writes linearly in the number of items (1,000 items: about twice 500)', async () => {
    const map = def({ type: 'map', concurrency: 20, do: { type: 'task', action: 'tag' } });
    const small = await measure(map, items(500));
    const large = await measure(map, items(1000));
    console.log(`map of 500 / 1,000 tasks: ${small.written} / ${large.written} bytes written (x${(large.written / small.written).toFixed(2)}); final state ${large.finalState} bytes`);
    expect(large.written / small.written).toBeLessThan(3); // quadratic would be 4
  }, 600_000);
});
