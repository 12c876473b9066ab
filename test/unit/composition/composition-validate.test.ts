import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/engine/composition/validate.js';

const doc = (root: unknown) => ({ whirl: '1', root });
const known = { actionExists: (a: string) => a !== 'nope' };

/** [case, document, expected paths] */
const bad: Array<[string, unknown, string[]]> = [
  ['not an object', 'x', ['']],
  ['wrong version, no root', { whirl: '2' }, ['/whirl', '/root']],
  ['unknown node type', doc({ type: 'teleport' }), ['/root']],
  ['unknown action', doc({ type: 'sequence', steps: [{ type: 'task', action: 'ok' }, { type: 'task', action: 'nope' }] }), ['/root/steps/1/action']],
  ['task with both targets', doc({ type: 'task', action: 'a', composition: 'b' }), ['/root']],
  ['unreachable step after fail', doc({ type: 'sequence', steps: [{ type: 'fail', error: 'E' }, { type: 'pass' }] }), ['/root/steps/1']],
  ['choice with no default', doc({ type: 'choice', branches: [{ when: true, do: { type: 'pass' } }] }), ['/root']],
  ['while with no bound', doc({ type: 'while', condition: true, do: { type: 'pass' } }), ['/root']],
  ['doWhile with no bound (nested)', doc({ type: 'parallel', branches: [{ type: 'doWhile', condition: true, do: { type: 'pass' } }] }), ['/root/branches/0']],
  ['retry without a limit', doc({ type: 'task', action: 'a', retry: { intervalMs: 5 } }), ['/root/retry']],
  ['retry jitter out of range', doc({ type: 'task', action: 'a', retry: { maxAttempts: 2, jitter: 3 } }), ['/root/retry/jitter']],
  ['wait with neither ms nor until', doc({ type: 'wait' }), ['/root']],
  ['map concurrency 0 inside try', doc({ type: 'try', do: { type: 'map', concurrency: 0, do: { type: 'pass' } }, finally: { type: 'pass' } }), ['/root/do/concurrency']],
  ['try with neither catch nor finally', doc({ type: 'try', do: { type: 'pass' } }), ['/root']],
  ['fail without a name', doc({ type: 'fail' }), ['/root/error']],
  ['step timeout not positive', doc({ type: 'pass', timeoutMs: 0 }), ['/root/timeoutMs']],
  ['a child that is not a node', doc({ type: 'sequence', steps: [3] }), ['/root/steps/0']],
  ['maxIterations beyond the limit', doc({ type: 'sequence', steps: [{ type: 'while', condition: true, maxIterations: 1e12, do: { type: 'pass' } }] }), ['/root/steps/0/maxIterations']],
  ['repeat beyond the limit', doc({ type: 'repeat', times: 5_000_000, do: { type: 'pass' } }), ['/root/times']],
  ['nesting beyond the limit', doc(nested(70)), [`/root${'/do'.repeat(64)}`]],
  ['unknown operator in a condition', doc({ type: 'choice', branches: [{ when: { gt: [{ var: 'input.x' }, 1] }, do: { type: 'pass' } }], otherwise: { type: 'pass' } }), ['/root/branches/0/when']],
  ['misspelt operator in a loop condition', doc({ type: 'while', condition: { vra: 'x' }, maxIterations: 3, do: { type: 'pass' } }), ['/root/condition']],
  ['an object as a condition', doc({ type: 'while', condition: { a: 1, b: 2 }, maxIterations: 3, do: { type: 'pass' } }), ['/root/condition']],
  ['wrong arity, nested in a value', doc({ type: 'pass', value: { total: { '/': [{ var: 'input.a' }] } } }), ['/root/value/total/~1']],
  ['malformed var', doc({ type: 'set', vars: { a: { var: { path: 'x' } } } }), ['/root/vars/a/var']],
  ['unknown operator inside a known one', doc({ type: 'pass', input: { '!': { vra: 'x' } } }), []],
  ['unknown field timeout (the schema has timeoutMs)', doc({ type: 'task', action: 'a', timeout: 5 }), ['/root/timeout']],
  ['misspelt concurrency', doc({ type: 'map', concurency: 5, do: { type: 'pass' } }), ['/root/concurency']],
  ['unknown top-level and retry fields', { whirl: '1', root: { type: 'task', action: 'a', retry: { maxAttempts: 2, backoff: 2 } }, name: 'x' }, ['/name', '/root/retry/backoff']],
  ['log is not an operation (no side channel)', doc({ type: 'while', condition: { log: 'hi' }, maxIterations: 2, do: { type: 'pass' } }), ['/root/condition']],
];

function nested(depth: number): unknown {
  let n: unknown = { type: 'pass' };
  for (let i = 0; i < depth; i++) n = { type: 'repeat', times: 1, do: n };
  return n;
}

describe('static validation names the offending node', () => {
  it.each(bad)('%s', (_name, document, paths) => {
    expect(validateDefinition(document, known).map((i) => i.path)).toEqual(paths);
  });

  it('accepts a document using every node type', () => {
    const good = doc({
      type: 'sequence',
      steps: [
        { type: 'set', vars: { a: 1 } },
        { type: 'task', action: 'a', retry: { maxAttempts: 3 }, timeoutMs: 100 },
        { type: 'task', composition: 'other' },
        { type: 'choice', branches: [{ when: true, do: { type: 'pass' } }], otherwise: { type: 'wait', ms: 1 } },
        { type: 'parallel', branches: [{ type: 'map', do: { type: 'pass' } }] },
        { type: 'while', condition: false, maxIterations: 2, do: { type: 'pass' } },
        { type: 'doWhile', condition: false, maxIterations: 2, do: { type: 'pass' } },
        { type: 'repeat', times: 2, do: { type: 'pass' } },
        { type: 'try', do: { type: 'fail', error: 'E' }, catch: [{ errors: ['E'], do: { type: 'pass' } }] },
        { type: 'wait', until: { var: 'input.at' } },
        { type: 'pass', value: { id: { var: 'input.id' }, n: { '+': [1, { var: ['vars.n', 0] }] }, tags: { merge: [[1], [2]] } } },
        { type: 'while', condition: { and: [{ '<': [{ var: 'input.n' }, 5] }, { '!': { var: 'vars.stop' } }] }, maxIterations: 9, do: { type: 'pass' } },
        { type: 'succeed' },
      ],
    });
    expect(validateDefinition(good, known)).toEqual([]);
  });

  it('the server accepts exactly the fields the published JSON Schema allows, object by object', async () => {
    const { NODE_FIELDS, DOCUMENT_FIELDS, RETRY_FIELDS, BRANCH_FIELDS, HANDLER_FIELDS } = await import('../../../src/engine/composition/node-fields.js');
    const schema = JSON.parse(readFileSync('schemas/composition.schema.json', 'utf8'));
    const props = (o: any) => Object.keys(o.properties).sort();
    const defs = schema.$defs as Record<string, any>;
    for (const [type, fields] of Object.entries(NODE_FIELDS)) {
      const def = Object.values(defs).find((d) => d.properties?.type?.const === type || d.properties?.type?.enum?.includes(type));
      expect(def?.additionalProperties, type).toBe(false);
      expect([...fields].sort(), type).toEqual(props(def));
    }
    expect([...DOCUMENT_FIELDS].sort()).toEqual(props(schema));
    expect([...RETRY_FIELDS].sort()).toEqual(props(defs.retry));
    expect([...BRANCH_FIELDS].sort()).toEqual(props(defs.choice.properties.branches.items));
    expect([...HANDLER_FIELDS].sort()).toEqual(props(defs.try.properties.catch.items));
  });

  it('the published JSON Schema knows every node type the engine runs', () => {
    const schema = JSON.parse(readFileSync('schemas/composition.schema.json', 'utf8'));
    const types = Object.values(schema.$defs as Record<string, any>)
      .flatMap((d) => d.properties?.type?.const ?? d.properties?.type?.enum ?? [])
      .sort();
    expect(types).toEqual(['choice', 'doWhile', 'fail', 'map', 'parallel', 'pass', 'repeat', 'sequence', 'set', 'succeed', 'task', 'try', 'wait', 'while']);
  });
});
