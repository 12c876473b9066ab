import { describe, expect, it } from 'vitest';
import { AslRefusal, importAsl } from '../../../src/dsl/asl/index.js';
import { validateDefinition } from '../../../src/engine/composition/validate.js';

/** The converter on its own: what it produces for Retry and Catch, and what it refuses (state and reason). */
const one = (state: Record<string, unknown>) => importAsl({ StartAt: 'S', States: { S: { End: true, ...state } } });
const refusal = (doc: unknown): { state: string; reason: string } => {
  try {
    importAsl(doc);
  } catch (e) {
    if (e instanceof AslRefusal) return { state: e.state, reason: e.reason };
    throw e;
  }
  throw new Error('converted, expected a refusal');
};
const pass = { Type: 'Pass', End: true };

describe('Retry', () => {
  it('MaxAttempts counts retries (default 3), the IR counts attempts; defaults 1 s and 2.0', () => {
    const d = one({ Type: 'Task', Resource: 'a', Retry: [{ ErrorEquals: ['States.ALL'] }] });
    expect(d.root).toMatchObject({ type: 'task', action: 'a', retry: { maxAttempts: 4, intervalMs: 1000, backoffRate: 2 } });
    expect((d.root as { retry: object }).retry).not.toHaveProperty('errors');
  });

  it('MaxAttempts 0 never retries; named errors and States.Timeout map to Whirl names; FULL jitter, MaxDelaySeconds', () => {
    const d = one({
      Type: 'Task',
      Resource: 'a',
      Retry: [
        { ErrorEquals: ['Never'], MaxAttempts: 0 },
        { ErrorEquals: ['Busy', 'States.Timeout'], IntervalSeconds: 3, BackoffRate: 1.5, MaxAttempts: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' },
      ],
    });
    expect(d.root).toMatchObject({
      retry: { maxAttempts: 3, intervalMs: 3000, backoffRate: 1.5, maxDelayMs: 10_000, jitter: 1, errors: ['Busy', 'Timeout', 'ActionTimeout'] },
    });
  });

  it('several retriers nest in order, the first innermost', () => {
    const d = one({ Type: 'Task', Resource: 'a', Retry: [{ ErrorEquals: ['A'] }, { ErrorEquals: ['B'], MaxAttempts: 1 }] });
    expect(d.root).toMatchObject({ type: 'sequence', retry: { maxAttempts: 2, errors: ['B'] }, steps: [{ type: 'task', retry: { errors: ['A'] } }] });
  });

  it('TimeoutSeconds is the per-attempt timeout; a machine TimeoutSeconds the execution timeout', () => {
    const d = importAsl({ TimeoutSeconds: 60, StartAt: 'S', States: { S: { Type: 'Task', Resource: 'a', TimeoutSeconds: 5, End: true } } });
    expect(d).toMatchObject({ timeoutMs: 60_000, root: { timeoutMs: 5000 } });
  });
});

describe('structure', () => {
  it('branches that meet again are followed by the shared states once; the result validates', () => {
    const d = importAsl({
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', NumericEquals: 1, Next: 'A' }], Default: 'B' },
        A: { Type: 'Pass', Next: 'Join' },
        B: { Type: 'Pass', Next: 'Join' },
        Join: { Type: 'Task', Resource: 'act', End: true },
      },
    });
    expect(validateDefinition(d, { actionExists: () => true })).toEqual([]);
    expect(d.root).toMatchObject({ type: 'sequence', steps: [{ type: 'choice', id: 'C' }, { type: 'task', action: 'act', id: 'Join' }] });
  });

  it('branches that end differently each carry on to their end', () => {
    const d = importAsl({
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', NumericEquals: 1, Next: 'A' }], Default: 'B' },
        A: { Type: 'Pass', Next: 'Shared' },
        B: { Type: 'Pass', Next: 'Shared' },
        Shared: { Type: 'Choice', Choices: [{ Variable: '$.y', IsPresent: true, Next: 'Done' }], Default: 'Other' },
        Done: { Type: 'Succeed' },
        Other: { Type: 'Task', Resource: 'act', End: true },
      },
    });
    expect(validateDefinition(d, { actionExists: () => true })).toEqual([]);
    expect(d.root).toMatchObject({ type: 'sequence', steps: [{ type: 'choice', id: 'C' }, { type: 'choice', id: 'Shared' }] });
  });

  it('a branch that can only fail does not keep the others from meeting again', () => {
    const d = importAsl({
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.bad', BooleanEquals: true, Next: 'Bad' }], Default: 'Go' },
        Bad: { Type: 'Fail', Error: 'Bad' },
        Go: { Type: 'Task', Resource: 'act', End: true },
      },
    });
    expect(d.root).toMatchObject({ type: 'sequence', steps: [{ type: 'choice', branches: [{ do: { type: 'fail' } }] }, { type: 'task', id: 'Go' }] });
  });

  it('a Choice without Default fails with States.NoChoiceMatched', () => {
    const d = importAsl({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'P' }] }, P: pass } });
    expect(d.root).toMatchObject({ type: 'sequence', steps: [{ type: 'choice', otherwise: { type: 'fail', error: 'States.NoChoiceMatched' } }, { type: 'pass' }] });
  });

  it('a machine reachable only through a Choice loop becomes a bounded while', () => {
    const d = importAsl({
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: 'a', Next: 'More?' },
        'More?': { Type: 'Choice', Choices: [{ Variable: '$.more', BooleanEquals: true, Next: 'Work' }], Default: 'Done' },
        Done: pass,
      },
    });
    expect(d.root).toMatchObject({ type: 'sequence', steps: [{ type: 'task' }, { type: 'while', maxIterations: 10_000 }, { type: 'pass' }] });
  });

  it('JSONata is refused for the machine and for one state', () => {
    expect(refusal({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: pass } })).toMatchObject({ state: '(state machine)', reason: expect.stringContaining('JSONata') });
    expect(refusal({ StartAt: 'P', States: { P: { ...pass, QueryLanguage: 'JSONata' } } })).toMatchObject({ state: 'P' });
  });
});

describe('refusals name the state and why', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['not an object', 'StartAt', '(state machine)', /JSON object/],
    ['StartAt names nothing', { StartAt: 'X', States: { P: pass } }, '(state machine)', /StartAt/],
    ['unknown type', { StartAt: 'P', States: { P: { Type: 'Sleep', End: true } } }, 'P', /unknown state type/],
    ['a service integration', { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } } }, 'T', /service integration/],
    ['Next to nowhere', { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'Q' } } }, 'P', /does not exist/],
    ['neither Next nor End', { StartAt: 'P', States: { P: { Type: 'Pass' } } }, 'P', /Next or "End"/],
    ['a Distributed Map', { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'P', States: { P: pass } }, End: true } } }, 'M', /DISTRIBUTED/],
    ['a Fail ErrorPath', { StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: '$.e' } } }, 'F', /ErrorPath/],
    ['a bad path', { StartAt: 'P', States: { P: { ...pass, InputPath: '$.a[' } } }, 'P', /InputPath: unclosed \[/],
    ['a ResultPath with a wildcard', { StartAt: 'P', States: { P: { ...pass, ResultPath: '$.a[*]' } } }, 'P', /reference path/],
    ['an unknown intrinsic', { StartAt: 'P', States: { P: { ...pass, Parameters: { 'x.$': 'States.Nope(1)' } } } }, 'P', /States.Nope/],
    ['a context field Whirl lacks', { StartAt: 'P', States: { P: { ...pass, Parameters: { 'x.$': '$$.Execution.Id' } } } }, 'P', /\$\$.Execution.Id is not available/],
    ['$$.Map outside a Map', { StartAt: 'P', States: { P: { ...pass, Parameters: { 'x.$': '$$.Map.Item.Value' } } } }, 'P', /not available/],
    ['a Parameters value that is not an expression', { StartAt: 'P', States: { P: { ...pass, Parameters: { 'x.$': 'hello' } } } }, 'P', /neither a path/],
    ['a Catch cycle', { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'a', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'T' }], End: true } } }, 'T', /cycle/],
    ['a cycle with no Choice', { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } }, 'A', /cycle/],
    ['States.ALL with others', { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'a', Retry: [{ ErrorEquals: ['States.ALL', 'X'] }], End: true } } }, 'T', /alone/],
    ['a Catch on a Pass', { StartAt: 'P', States: { P: { ...pass, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'P' }] } } }, 'P', /belong to Task, Parallel and Map/],
    ['workflow variables', { StartAt: 'P', States: { P: { ...pass, Assign: { x: 1 } } } }, 'P', /Assign is not supported/],
    ['a Wait with two times', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Timestamp: '2020-01-01T00:00:00Z', End: true } } }, 'W', /exactly one/],
  ];
  it.each(cases)('%s', (_name, doc, state, reason) => {
    const r = refusal(doc);
    expect(r.state).toBe(state);
    expect(r.reason).toMatch(reason);
  });

  it('is WHIRL_ASL_UNSUPPORTED (400) with the state in the message', () => {
    try {
      importAsl({ StartAt: 'P', States: { P: { Type: 'Sleep', End: true } } });
    } catch (e) {
      expect(e).toMatchObject({ code: 'WHIRL_ASL_UNSUPPORTED', status: 400, message: expect.stringContaining('state "P"') });
    }
  });
});

describe('hostile definitions are refused quickly, never crash', () => {
  it('a long run of diamonds converts flat: each shared state once', () => {
    const States: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      States[`C${i}`] = { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: `L${i}` }], Default: `R${i}` };
      States[`L${i}`] = { Type: 'Pass', Next: i === 199 ? 'End' : `C${i + 1}` };
      States[`R${i}`] = { Type: 'Pass', Next: i === 199 ? 'End' : `C${i + 1}` };
    }
    States.End = pass;
    const d = importAsl({ StartAt: 'C0', States });
    expect(d.root).toMatchObject({ type: 'sequence' });
    expect((d.root as { steps: unknown[] }).steps).toHaveLength(201);
    expect(validateDefinition(d, { actionExists: () => true })).toEqual([]);
  });

  it('branches that never meet and would multiply past the node budget', () => {
    const States: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) {
      States[`C${i}`] = {
        Type: 'Choice',
        Choices: [
          { Variable: '$.x', IsPresent: true, Next: `L${i}` },
          { Variable: '$.y', IsPresent: true, Next: `Stop${i}` },
        ],
        Default: `R${i}`,
      };
      States[`L${i}`] = { Type: 'Pass', Next: i === 39 ? 'End' : `C${i + 1}` };
      States[`R${i}`] = { Type: 'Pass', Next: i === 39 ? 'End' : `C${i + 1}` };
      States[`Stop${i}`] = { Type: 'Succeed' };
    }
    States.End = pass;
    const t0 = Date.now();
    expect(refusal({ StartAt: 'C0', States }).reason).toMatch(/more than 5000 nodes/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('deeply nested Parallel branches and Parameters', () => {
    let machine: Record<string, unknown> = { StartAt: 'P', States: { P: pass } };
    for (let i = 0; i < 500; i++) machine = { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [machine], End: true } } };
    expect(refusal(machine).reason).toMatch(/nest more than/);
    let params: Record<string, unknown> = { x: 1 };
    for (let i = 0; i < 10_000; i++) params = { a: params };
    expect(refusal({ StartAt: 'P', States: { P: { ...pass, Parameters: params } } }).reason).toMatch(/nests deeper/);
  });

  it('a long chain of Choices', () => {
    const States: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) States[`C${i}`] = { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'End' }], Default: `C${i + 1}` };
    States.C3000 = pass;
    States.End = pass;
    expect(refusal({ StartAt: 'C0', States }).reason).toMatch(/nest more than/);
  });

  it('state names that are prototype keys are plain names', () => {
    const d = importAsl({ StartAt: '__proto__', States: JSON.parse('{"__proto__": {"Type": "Pass", "Next": "constructor"}, "constructor": {"Type": "Pass", "End": true}}') });
    expect(d.root).toMatchObject({ type: 'sequence', steps: [{ id: '__proto__' }, { id: 'constructor' }] });
  });
});
