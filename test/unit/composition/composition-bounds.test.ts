import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompositionDefinition, CompositionNode } from '../../../src/domain/composition.js';
import { type Harness, startHarness } from './composition-harness.js';

/**
 * No recursion, bounded everything: control-only steps run from the execution's work stack (no JavaScript
 * recursion), a transition yields after a slice, and every unbounded thing a definition or its data could do fails
 * the execution with its own error name.
 */
const def = (root: CompositionNode, extra: Partial<CompositionDefinition> = {}): CompositionDefinition => ({ whirl: '1', root, ...extra });
const N = 100_000;
const count: CompositionNode = {
  type: 'while',
  condition: { '<': [{ var: 'input.n' }, N] },
  maxIterations: N,
  do: { type: 'pass', value: { n: { '+': [{ var: 'input.n' }, 1] } } },
};

describe('control-only steps at scale', () => {
  let h: Harness;
  beforeAll(async () => {
    // The 100,000-item map carries its items and results in its state: raise the data limits for it.
    h = await startHarness({ limits: { maxResultBytes: 8_000_000, maxStateBytes: 8_000_000 } });
  });
  afterAll(() => h.stop());

  it(`a while of ${N} pass steps succeeds`, async () => {
    const out = await h.run(def(count), { n: 0 }, 10);
    expect(out.doc?.status).toBe('succeeded');
    expect(out.doc?.result).toEqual({ n: N });
  }, 600_000);

  it(`a map over ${N} pass items succeeds, results in item order`, async () => {
    const items = Array.from({ length: N }, (_, i) => i);
    const out = await h.run(def({ type: 'map', concurrency: 50, do: { type: 'pass', value: { '*': [{ var: 'input' }, 2] } } }), items, 10);
    expect(out.doc?.status).toBe('succeeded');
    const result = out.doc?.result as number[];
    expect(result).toHaveLength(N);
    expect(result[0]).toBe(0);
    expect(result[N - 1]).toBe(2 * (N - 1));
  }, 600_000);

  it(`a sequence of ${N} pass steps succeeds`, async () => {
    const steps: CompositionNode[] = Array.from({ length: N }, () => ({ type: 'pass', value: { n: { '+': [{ var: 'input.n' }, 1] } } }));
    const out = await h.run(def({ type: 'sequence', steps }), { n: 0 }, 10);
    expect(out.doc?.status).toBe('succeeded');
    expect(out.doc?.result).toEqual({ n: N });
  }, 600_000);

  it('a long control-only execution yields: a short one started after it finishes first', async () => {
    const long = h.run(def(count), { n: 0 }, 10);
    const short = await h.run(def({ type: 'pass', value: 'short' }), {}, 10);
    let longDone = false;
    void long.then(() => (longDone = true));
    expect(short.doc?.result).toBe('short');
    expect(longDone).toBe(false);
    expect((await long).doc?.result).toEqual({ n: N });
  }, 600_000);
});

describe('limits fail the execution with their error name', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ limits: { maxIterations: 50, maxMapItems: 20, maxNesting: 3, maxResultBytes: 2_000, maxStateBytes: 5_000 } });
    await h.action('big', () => ({ blob: 'x'.repeat(3_000) }));
    await h.entities.put('compositions', {
      namespace: 'guest',
      name: 'recurse',
      version: '0.0.1',
      definition: def({ type: 'task', composition: 'recurse' }),
      annotations: [],
      updated: 0,
    });
  });
  afterAll(() => h.stop());

  const errorOf = async (d: CompositionDefinition, input: unknown = {}) => {
    const out = await h.run(d, input);
    expect(out.doc?.status).toBe('failed');
    return out.doc?.error?.name;
  };

  it('a loop past the configured iteration limit (its own bound is higher): LoopLimitExceeded', async () => {
    expect(await errorOf(def({ type: 'while', condition: true, maxIterations: 1_000, do: { type: 'pass' } }))).toBe('LoopLimitExceeded');
    expect(await errorOf(def({ type: 'repeat', times: 51, do: { type: 'pass' } }))).toBe('LoopLimitExceeded');
  });

  it('a map over more items than the limit: MapLimitExceeded', async () => {
    expect(await errorOf(def({ type: 'map', do: { type: 'pass' } }), Array.from({ length: 21 }, (_, i) => i))).toBe('MapLimitExceeded');
  });

  it('a task result over the size limit fails the execution, even inside try/catch: DataLimitExceeded', async () => {
    const guarded = def({ type: 'try', do: { type: 'task', action: 'big' }, catch: [{ do: { type: 'pass', value: 'caught' } }] });
    expect(await errorOf(guarded)).toBe('DataLimitExceeded');
  });

  it('an input over the size limit: DataLimitExceeded', async () => {
    expect(await errorOf(def({ type: 'pass' }), { blob: 'y'.repeat(3_000) })).toBe('DataLimitExceeded');
  });

  it('a value doubled at every iteration stops at the limit, long before memory runs out: DataLimitExceeded', async () => {
    const doubling = def({
      type: 'while',
      condition: true,
      maxIterations: 50,
      do: { type: 'pass', value: { merge: [{ var: 'input' }, { var: 'input' }] } },
    });
    expect(await errorOf(doubling, ['abcdefgh'])).toBe('DataLimitExceeded');
  });

  it('state grown from results each under the limit (a map collecting them) over the state limit: DataLimitExceeded', async () => {
    const collecting = def({ type: 'map', do: { type: 'pass', value: { cat: ['x'.repeat(900), { var: 'input' }] } } });
    expect(await errorOf(collecting, Array.from({ length: 20 }, (_, i) => i))).toBe('DataLimitExceeded');
  });

  it('a composition that runs itself stops at the nesting limit: NestingLimitExceeded', async () => {
    const out = await h.run(def({ type: 'task', composition: 'recurse' }));
    expect(out.doc?.status).toBe('failed');
    expect(JSON.stringify(out.doc?.error)).toContain('NestingLimitExceeded');
  });
});
