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
  for (const c of ASL_CASES) {
    for (const [name, code] of Object.entries(c.actions)) {
      const main = new Function(`${code}; return main;`)() as (p: unknown) => unknown;
      await h.action(name, (p) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        const out = main(p) as { error?: unknown };
        if (out && typeof out === 'object' && 'error' in out) throw { statusCode: 1, error: out.error };
        return out;
      });
    }
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
