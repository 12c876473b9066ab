import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, validateDefinition } from '../../../src/engine/composition/validate.js';
import { loadCompositionFile } from '../../../src/dsl/load.js';
import { type Harness, startHarness } from './composition-harness.js';

/** Every file in compositions/ is loaded, validated and run here, with stand-in actions and an expected result. */
const cases: Record<string, { input: unknown; expected: unknown }> = {
  'order-pipeline.yaml': {
    input: { id: 'o1', lines: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }, { sku: 'c', qty: 10 }] },
    expected: { reviewed: true, id: 'o1', total: 130, receipt: 'r-o1' },
  },
  'resilient-fetch.json': { input: { query: 'q' }, expected: { from: 'fallback', query: 'q' } },
  'poll-until-ready.ts': { input: {}, expected: [{ output: 42 }, { audit: 'job-1' }] },
};

let h: Harness;
let chargeCalls = 0;
let checks = 0;
beforeAll(async () => {
  h = await startHarness();
  await h.action('validate-order', (p) => p);
  await h.action('price-line', (p) => ({ sku: p.sku, price: p.qty * 10 }));
  await h.action('charge', (p) => {
    if (++chargeCalls < 3) throw { statusCode: 1, error: { name: 'PaymentUnavailable' } };
    return { receipt: `r-${p.id}` };
  });
  await h.action('review', (p) => ({ ...p, reviewed: true }));
  await h.action('fetch-primary', () => {
    throw { statusCode: 1, error: { name: 'Unavailable' } };
  });
  await h.action('fetch-fallback', (p) => ({ from: 'fallback', query: p.query }));
  await h.action('start-job', () => ({ id: 'job-1', state: 'queued' }));
  await h.action('check-job', (p) => ({ id: p.id, state: ++checks >= 3 ? 'ready' : 'running' }));
  await h.action('job-result', () => ({ output: 42 }));
});
afterAll(() => h.stop());

describe('worked examples in compositions/', () => {
  const files = readdirSync('compositions').filter((f) => !f.startsWith('.') && f !== 'README.md');

  it('every example has a case here', () => {
    expect(files.sort()).toEqual(Object.keys(cases).sort());
  });

  it.each(files)('%s loads, validates and runs', async (file) => {
    const def = await loadCompositionFile(`compositions/${file}`);
    const actions = new Set(actionsOf(def.root));
    expect(validateDefinition(def, { actionExists: (a) => actions.has(a) })).toEqual([]);
    const out = await h.run(def, cases[file]!.input);
    expect(out.doc?.error).toBeUndefined();
    expect(out.doc?.result).toEqual(cases[file]!.expected);
  });
});
