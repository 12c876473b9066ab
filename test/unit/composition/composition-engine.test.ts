import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompositionDefinition, CompositionNode } from '../../../src/domain/composition.js';
import { type Harness, startHarness } from './composition-harness.js';

const task = (action: string, extra: Partial<CompositionNode> = {}): CompositionNode =>
  ({ type: 'task', action, ...extra }) as CompositionNode;
const def = (root: CompositionNode, extra: Partial<CompositionDefinition> = {}): CompositionDefinition => ({
  whirl: '1',
  root,
  ...extra,
});

let h: Harness;
const flakyCalls = new Map<string, number>();

beforeAll(async () => {
  h = await startHarness();
  await h.action('inc', (p) => ({ x: (p.x ?? 0) + 1 }));
  await h.action('double', (p) => ({ x: p.x * 2 }));
  await h.action('echo', (p) => p);
  await h.action('boom', () => {
    throw { statusCode: 1, error: { name: 'Boom', message: 'no' } };
  });
  await h.action('flaky', (p) => {
    const n = (flakyCalls.get(p.key) ?? 0) + 1;
    flakyCalls.set(p.key, n);
    if (n < 3) throw { statusCode: 1, error: 'not yet' };
    return { attempts: n };
  });
  await h.action('slow', () => new Promise((r) => setTimeout(() => r({ slow: true }), 300)));
});
afterAll(() => h.stop());

/** [name, definition, input, expected status, expected result or error name] */
const table: Array<[string, CompositionDefinition, unknown, 'succeeded' | 'failed', unknown]> = [
  ['task', def(task('inc')), { x: 1 }, 'succeeded', { x: 2 }],
  ['sequence', def({ type: 'sequence', steps: [task('inc'), task('double'), task('inc')] }), { x: 1 }, 'succeeded', { x: 5 }],
  [
    'choice with default',
    def({
      type: 'choice',
      branches: [{ when: { '>': [{ var: 'input.x' }, 10] }, do: task('double') }],
      otherwise: task('inc'),
    }),
    { x: 20 },
    'succeeded',
    { x: 40 },
  ],
  ['parallel', def({ type: 'parallel', branches: [task('inc'), task('double')] }), { x: 3 }, 'succeeded', [{ x: 4 }, { x: 6 }]],
  [
    'map with concurrency and item selection',
    def({ type: 'map', items: { var: 'input.xs' }, concurrency: 2, do: { type: 'sequence', steps: [{ type: 'pass', value: { x: { var: 'input' } } }, task('double')] } }),
    { xs: [1, 2, 3] },
    'succeeded',
    [{ x: 2 }, { x: 4 }, { x: 6 }],
  ],
  [
    'while with bound',
    def({ type: 'while', condition: { '<': [{ var: 'input.x' }, 5] }, maxIterations: 10, do: task('inc') }),
    { x: 0 },
    'succeeded',
    { x: 5 },
  ],
  [
    'while exceeding its bound',
    def({ type: 'while', condition: true, maxIterations: 3, do: task('inc') }),
    { x: 0 },
    'failed',
    'LoopLimitExceeded',
  ],
  ['doWhile runs once', def({ type: 'doWhile', condition: false, maxIterations: 5, do: task('inc') }), { x: 0 }, 'succeeded', { x: 1 }],
  ['repeat', def({ type: 'repeat', times: 3, do: task('double') }), { x: 1 }, 'succeeded', { x: 8 }],
  [
    'try/catch by error name, finally',
    def({
      type: 'try',
      do: task('boom'),
      catch: [
        { errors: ['Other'], do: { type: 'pass', value: 'wrong' } },
        { errors: ['Boom'], do: { type: 'pass', value: { caught: { var: 'input.error.name' } } } },
      ],
      finally: { type: 'set', vars: { cleaned: true } },
    }),
    {},
    'succeeded',
    { caught: 'Boom' },
  ],
  ['uncaught error', def({ type: 'try', do: task('boom'), catch: [{ errors: ['Other'], do: task('inc') }] }), {}, 'failed', 'Boom'],
  [
    'retry until success',
    def(task('flaky', { retry: { maxAttempts: 5, intervalMs: 10, backoffRate: 2 } })),
    { key: 'a' },
    'succeeded',
    { attempts: 3 },
  ],
  ['retry exhausted', def(task('flaky', { retry: { maxAttempts: 2, intervalMs: 5 } })), { key: 'b' }, 'failed', 'ApplicationError'],
  ['step timeout', def(task('slow', { timeoutMs: 50 })), {}, 'failed', 'Timeout'],
  ['execution timeout', def({ type: 'wait', ms: 10_000 }, { timeoutMs: 50 }), {}, 'failed', 'Timeout'],
  ['wait until a time', def({ type: 'wait', until: { var: 'input.at' } }), { at: new Date(Date.now() + 30).toISOString() }, 'succeeded', { at: expect.any(String) }],
  ['task on a missing composition', def(task('x', { action: undefined, composition: 'nowhere' } as any)), {}, 'failed', 'NotFound'],
  ['wait duration', def({ type: 'sequence', steps: [{ type: 'wait', ms: 20 }, task('inc')] }), { x: 1 }, 'succeeded', { x: 2 }],
  [
    'variables, input/result/output selection',
    def(
      {
        type: 'sequence',
        steps: [
          { type: 'set', vars: { base: { var: 'input.x' } } },
          task('double', { input: { x: { var: 'input.n' } }, result: { n: { var: 'input.n' }, doubled: { var: 'result.x' } } }),
          { type: 'pass', value: { sum: { '+': [{ var: 'input.doubled' }, { var: 'vars.base' }] } } },
        ],
      },
      { vars: { base: 0 } },
    ),
    { x: 100, n: 4 },
    'succeeded',
    { sum: 108 },
  ],
  ['succeed ends early', def({ type: 'sequence', steps: [{ type: 'succeed', value: 'done' }, task('boom')] }), {}, 'succeeded', 'done'],
  ['fail with name and cause', def({ type: 'fail', error: 'Rejected', cause: { var: 'input.why' } }), { why: 'x' }, 'failed', 'Rejected'],
  [
    'nested: parallel of tries inside a sequence',
    def({
      type: 'sequence',
      steps: [
        task('inc'),
        {
          type: 'parallel',
          branches: [
            { type: 'try', do: task('boom'), catch: [{ do: { type: 'pass', value: 'recovered' } }] },
            { type: 'repeat', times: 2, do: task('inc') },
          ],
        },
      ],
    }),
    { x: 0 },
    'succeeded',
    ['recovered', { x: 3 }],
  ],
];

describe('composition engine: every capability', () => {
  it.each(table)('%s', async (_name, definition, input, status, expected) => {
    const out = await h.run(definition, input);
    expect(out.doc?.status).toBe(status);
    if (status === 'succeeded') expect(out.doc?.result).toEqual(expected);
    else expect(out.doc?.error?.name).toBe(expected);
    const types = out.history.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe(status === 'succeeded' ? 'ExecutionSucceeded' : 'ExecutionFailed');
    expect(out.history.map((e) => e.seq)).toEqual(out.history.map((_, i) => i + 1));
    // The activation record of the execution exists, with one log entry per dispatched task that ran (a task whose
    // target never resolved has no activation).
    const record = await h.activations.get('guest', out.activationId);
    expect(record?.response.statusCode).toBe(status === 'succeeded' ? 0 : 1);
    const neverRan = new Set(out.history.filter((e) => e.type === 'TaskCompleted' && (e.error as { name?: string } | undefined)?.name === 'NotFound' && e.duration === undefined).map((e) => e.activationId));
    expect(record?.logs).toEqual(out.history.filter((e) => e.type === 'TaskDispatched' && !neverRan.has(e.activationId)).map((e) => e.activationId));
  });

  it('history of a sequence lists each step with its activation', async () => {
    const out = await h.run(def({ type: 'sequence', steps: [task('inc'), task('inc')] }), { x: 0 });
    const tasks = out.history.filter((e) => e.type === 'TaskCompleted');
    expect(tasks.map((e) => e.path)).toEqual(['/root/steps/0', '/root/steps/1']);
    expect(tasks.map((e) => e.result)).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('task steps carry cause, causedBy and an idempotency key from (execution, step, attempt)', async () => {
    const before = h.runs.length;
    const out = await h.run(def(task('flaky', { retry: { maxAttempts: 5, intervalMs: 5 } })), { key: 'idem' });
    const msgs = h.runs.slice(before);
    expect(msgs).toHaveLength(3);
    for (const m of msgs) {
      expect(m.cause).toBe(out.activationId);
      expect(m.recordAnnotations).toContainEqual({ key: 'causedBy', value: 'composition' });
    }
    const keys = msgs.map((m) => m.idempotencyKey);
    expect(new Set(keys).size).toBe(3);
    expect(keys.map((k) => k!.split(':').at(-1))).toEqual(['1', '2', '3']);
    expect(keys.every((k) => k!.startsWith(`${out.activationId}:/root:`))).toBe(true);
  });

  it('snapshot size stays flat as a loop runs longer', async () => {
    const sizes: number[] = [];
    for (const times of [5, 50]) {
      const out = await h.run(def({ type: 'repeat', times, do: task('inc') }), { x: 0 });
      expect(out.doc?.result).toEqual({ x: times });
      sizes.push(JSON.stringify(out.doc?.snapshot).length);
    }
    expect(sizes[1]).toBeLessThan(sizes[0]! * 1.2);
  });

  it('a task may run another composition as a child execution', async () => {
    await h.entities.put('compositions', {
      namespace: 'guest',
      name: 'child',
      version: '0.0.1',
      definition: def({ type: 'sequence', steps: [task('double'), task('double')] }),
      annotations: [],
      updated: 0,
    });
    const out = await h.run(def({ type: 'sequence', steps: [task('inc'), { type: 'task', composition: 'child' }] }), { x: 1 });
    expect(out.doc?.result).toEqual({ x: 8 });
    const childId = out.history.filter((e) => e.type === 'TaskDispatched').at(-1)?.activationId as string;
    const child = await h.activations.get('guest', childId);
    expect(child?.cause).toBe(out.activationId);
    expect(child?.logs).toHaveLength(2);
  });

  it('map never runs more items at once than its concurrency', async () => {
    let running = 0;
    let peak = 0;
    await h.action('slowItem', async (p) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return { v: p.value };
    });
    const out = await h.run(def({ type: 'map', concurrency: 3, do: task('slowItem') }), [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(out.doc?.result).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((v) => ({ v })));
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it('cancel stops a running execution', async () => {
    const started = await h.engine.startExecution({
      identity: { namespace: 'guest', subject: 'guest', uuid: 'u' },
      kind: 'composition',
      name: 'c',
      version: '0.0.1',
      definition: def({ type: 'wait', ms: 60_000 }),
      input: {},
      blocking: false,
      waitMs: 0,
    });
    const doc = await h.engine.cancel(started.activationId);
    expect(doc?.status).toBe('cancelled');
    expect(h.engine.running).toBe(0);
  });
});
