import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/**
 * Composition definitions as hostile input, through the API of an embedded Whirl: every bad definition is a 400
 * naming the node's path, and whatever a definition or its input does at run time ends as the execution's own
 * error, never a 500 (docs/compositions.md "Static validation", "Limits").
 */
const NS = '/api/v1/namespaces/_/compositions';
let whirl: TestWhirl;
let n = 0;

beforeAll(async () => {
  whirl = await startTestWhirl('embedded', { WHIRL_COMPOSITION_MAX_ITERATIONS: '100000' });
}, 60_000);
afterAll(() => whirl?.stop());

const put = (root: unknown) => whirl.api('PUT', `${NS}/c${++n}`, { definition: { whirl: '1', root } });
const run = async (root: unknown, input: unknown) => {
  const name = `r${++n}`;
  expect((await whirl.api('PUT', `${NS}/${name}`, { definition: { whirl: '1', root } })).status).toBe(200);
  return whirl.api('POST', `${NS}/${name}?blocking=true&timeout=60000`, input);
};

describe('refused at deploy with the node path', () => {
  it.each([
    ['a bound beyond the limit', { type: 'while', condition: true, maxIterations: 1e12, do: { type: 'pass' } }, '/root/maxIterations'],
    ['an unknown operator', { type: 'choice', branches: [{ when: { gt: [{ var: 'input.x' }, 1] }, do: { type: 'pass' } }], otherwise: { type: 'pass' } }, '/root/branches/0/when'],
    ['a misspelt var', { type: 'while', condition: { vra: 'x' }, maxIterations: 3, do: { type: 'pass' } }, '/root/condition'],
    ['the log operation', { type: 'while', condition: { log: 'written into the server log' }, maxIterations: 3, do: { type: 'pass' } }, '/root/condition'],
    ['wrong arity', { type: 'pass', value: { '==': [1] } }, '/root/value/=='],
    ['an unknown field (timeout)', { type: 'sequence', steps: [{ type: 'wait', ms: 1, timeout: 5 }] }, '/root/steps/0/timeout'],
    ['a misspelt field (concurency)', { type: 'map', concurency: 2, do: { type: 'pass' } }, '/root/concurency'],
  ])('%s', async (_name, root, path) => {
    const res = await put(root);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(`${path}:`);
  });
});

describe('run time', () => {
  it('a while of 3,000 pass steps succeeds (no stack overflow, no 500)', async () => {
    const root = {
      type: 'while',
      condition: { '<': [{ var: 'input.n' }, 3000] },
      maxIterations: 3000,
      do: { type: 'pass', value: { n: { '+': [{ var: 'input.n' }, 1] } } },
    };
    const res = await run(root, { n: 0 });
    expect(res.status).toBe(200);
    expect(res.body.response.result).toEqual({ n: 3000 });
  }, 90_000);

  it('var reaches data only: input.constructor is not found, and the answer is the execution result', async () => {
    const res = await run({ type: 'pass', value: { c: { var: ['input.constructor', 'none'] }, p: { var: 'input.__proto__' } } }, { a: 1 });
    expect(res.status).toBe(200);
    expect(res.body.response.result).toEqual({ c: 'none', p: null });
  });

  it('an own __proto__ key in the input is plain data', async () => {
    const res = await run({ type: 'pass', value: { got: { var: 'input.__proto__.x' } } }, JSON.parse('{"__proto__": {"x": 7}}'));
    expect(res.status).toBe(200);
    expect(res.body.response.result).toEqual({ got: 7 });
  });
});

describe('listing executions', () => {
  it('GET …/executions lists newest first, filters by status, pages with skip/limit', async () => {
    const name = `l${++n}`;
    const root = { type: 'choice', branches: [{ when: { var: 'input.fail' }, do: { type: 'fail', error: 'Nope' } }], otherwise: { type: 'pass' } };
    expect((await whirl.api('PUT', `${NS}/${name}`, { definition: { whirl: '1', root } })).status).toBe(200);
    const ids: string[] = [];
    for (const fail of [false, true, false]) {
      const res = await whirl.api('POST', `${NS}/${name}?blocking=true`, { fail });
      ids.push(res.body.activationId);
    }
    const all = await whirl.api('GET', `${NS}/${name}/executions`);
    expect(all.status).toBe(200);
    // Newest first (executions started in the same millisecond may come in either order).
    expect(new Set(all.body.map((e: any) => e.activationId))).toEqual(new Set(ids));
    const starts = all.body.map((e: any) => e.start);
    expect(starts).toEqual([...starts].sort((a: number, b: number) => b - a));
    expect(all.body.find((e: any) => e.activationId === ids[1])).toMatchObject({ name, status: 'failed' });
    const failed = await whirl.api('GET', `${NS}/${name}/executions?status=failed`);
    expect(failed.body.map((e: any) => e.activationId)).toEqual([ids[1]]);
    const first = await whirl.api('GET', `${NS}/${name}/executions?status=succeeded&limit=1`);
    const second = await whirl.api('GET', `${NS}/${name}/executions?status=succeeded&skip=1&limit=1`);
    expect([...first.body, ...second.body].map((e: any) => e.activationId).sort()).toEqual([ids[0], ids[2]].sort());
    expect((await whirl.api('GET', `${NS}/${name}/executions?status=bogus`)).status).toBe(400);
  });
});
