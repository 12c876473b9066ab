import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAsl } from '../../../src/dsl/asl/index.js';
import { actionsOf, validateDefinition } from '../../../src/engine/composition/validate.js';
import { ASL_CASES } from '../../fixtures/asl/cases.js';
import { type Harness, startHarness } from '../composition/composition-harness.js';

/** AWS's documented state machines, converted and run on the engine with in-memory adapters and stand-in actions. */
let h: Harness;
const calls = new Map<string, number>();

beforeAll(async () => {
  h = await startHarness();
  const sources = new Map<string, string>();
  for (const c of ASL_CASES) for (const [name, code] of Object.entries(c.actions)) sources.set(name, code);
  for (const [name, code] of sources) {
    const main = new Function(`${code}; return main;`)() as (p: unknown) => unknown;
    await h.action(name, (p) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      const out = main(p) as { error?: unknown };
      if (out && typeof out === 'object' && 'error' in out) throw { statusCode: 1, error: out.error };
      return out;
    });
  }
});
afterAll(() => h.stop());

describe('AWS documentation examples', () => {
  it.each(ASL_CASES.map((c) => [c.file, c] as const))('%s gives the documented output', async (file, c) => {
    const asl = JSON.parse(readFileSync(`test/fixtures/asl/${file}`, 'utf8')) as unknown;
    const def = importAsl(asl, { name: file.replace(/\.json$/, '') });
    const actions = new Set(actionsOf(def.root));
    expect(validateDefinition(def, { actionExists: (a) => actions.has(a) })).toEqual([]);
    expect([...actions].sort()).toEqual(Object.keys(c.actions).sort());
    const out = await h.run(def, c.input);
    expect(out.doc?.error).toBeUndefined();
    expect(out.doc?.result).toEqual(c.expected);
  }, 30_000);

  it('retries as Step Functions counts: MaxAttempts 2 = three attempts, then the Catch', () => {
    expect(calls.get('FailFunction')).toBe(3);
  });

  it('the iterate loop runs its task once per iteration', () => {
    expect(calls.get('Iterate')).toBe(10);
  });
});

describe('more runs', () => {
  const run = (asl: unknown, input: unknown) => h.run(importAsl(asl), input);

  it('a Catch on a Parallel catches a branch Fail, with the error at ResultPath', async () => {
    const out = await run(
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Ok', States: { Ok: { Type: 'Pass', End: true } } },
              { StartAt: 'No', States: { No: { Type: 'Fail', Error: 'Nope', Cause: 'on purpose' } } },
            ],
            Catch: [{ ErrorEquals: ['Nope'], ResultPath: '$.err', Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', Parameters: { 'caught.$': '$.err.Error', 'cause.$': '$.err.Cause', 'id.$': '$.id' }, End: true },
        },
      },
      { id: 1 },
    );
    expect(out.doc?.result).toEqual({ caught: 'Nope', cause: 'on purpose', id: 1 });
  });

  it('an uncaught Fail fails the execution with its Error and Cause', async () => {
    const out = await run({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Custom', Cause: 'why' } } }, {});
    expect(out.doc?.status).toBe('failed');
    expect(out.doc?.error).toMatchObject({ name: 'Custom', cause: 'why' });
  });

  it('Wait TimestampPath and Timestamp in the past go straight on; InputPath/OutputPath apply', async () => {
    const out = await run(
      {
        StartAt: 'Until',
        States: {
          Until: { Type: 'Wait', TimestampPath: '$.at', Next: 'Fixed' },
          Fixed: { Type: 'Wait', Timestamp: '2016-03-14T01:59:00Z', InputPath: '$.keep', OutputPath: '$.v', End: true },
        },
      },
      { at: '2016-03-14T01:59:00Z', keep: { v: 42 } },
    );
    expect(out.doc?.result).toBe(42);
  });

  it('a Map with MaxConcurrency 1 keeps order; ResultSelector and OutputPath shape the Map result', async () => {
    const out = await run(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.xs',
            MaxConcurrency: 1,
            ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($.v, $.v)' }, End: true } } },
            ResultSelector: { 'all.$': '$[*].v', 'count.$': 'States.ArrayLength($)' },
            ResultPath: '$.out',
            OutputPath: '$.out',
            End: true,
          },
        },
      },
      { xs: [{ v: 1 }, { v: 2 }, { v: 3 }] },
    );
    expect(out.doc?.result).toEqual({ all: [2, 4, 6], count: 3 });
  });

  it('a Choice with InputPath and OutputPath tests the selected input and passes on the output', async () => {
    const out = await run(
      {
        StartAt: 'Pick',
        States: {
          Pick: { Type: 'Choice', InputPath: '$.order', OutputPath: '$.id', Choices: [{ Variable: '$.total', NumericGreaterThan: 100, Next: 'Big' }], Default: 'Small' },
          Big: { Type: 'Pass', Parameters: { 'big.$': '$' }, End: true },
          Small: { Type: 'Pass', Parameters: { 'small.$': '$' }, End: true },
        },
      },
      { order: { id: 'o1', total: 250 } },
    );
    expect(out.doc?.result).toEqual({ big: 'o1' });
  });

  it('catchers are tried in order; States.ALL catches the rest; each carries on along its own Next', async () => {
    await h.action('fails-with', (p) => {
      throw { statusCode: 1, error: { name: p.name } };
    });
    const machine = {
      StartAt: 'Try',
      States: {
        Try: {
          Type: 'Task',
          Resource: 'fails-with',
          Catch: [
            { ErrorEquals: ['A'], ResultPath: '$.a', Next: 'OnA' },
            { ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'OnAny' },
          ],
          Next: 'Never',
        },
        OnA: { Type: 'Pass', Parameters: { 'handled.$': '$.a.Error' }, Next: 'Join' },
        OnAny: { Type: 'Pass', Parameters: { 'other.$': '$.name' }, Next: 'Join' },
        Join: { Type: 'Pass', Parameters: { 'joined.$': '$' }, End: true },
        Never: { Type: 'Fail', Error: 'Unreachable' },
      },
    };
    expect((await run(machine, { name: 'A' })).doc?.result).toEqual({ joined: { handled: 'A' } });
    expect((await run(machine, { name: 'B' })).doc?.result).toEqual({ joined: { other: 'B' } });
  });

  it('a loop whose Choice goes back through different states', async () => {
    const out = await run(
      {
        StartAt: 'Head',
        States: {
          Head: { Type: 'Pass', Next: 'Again?' },
          'Again?': {
            Type: 'Choice',
            Choices: [
              { And: [{ Variable: '$.n', NumericLessThan: 3 }, { Variable: '$.even', BooleanEquals: true }], Next: 'IncA' },
              { Variable: '$.n', NumericLessThan: 3, Next: 'IncB' },
            ],
            Default: 'Done',
          },
          IncA: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)', 'path.$': "States.Format('{}a', $.path)", even: false }, Next: 'Head' },
          IncB: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)', 'path.$': "States.Format('{}b', $.path)", even: true }, Next: 'Head' },
          Done: { Type: 'Succeed', OutputPath: '$.path' },
        },
      },
      { n: 0, path: '', even: true },
    );
    expect(out.doc?.result).toBe('aba');
  });
});
