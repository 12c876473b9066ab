import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AslRefusal, importAsl } from '../../../src/dsl/asl/index.js';
import { validateDefinition } from '../../../src/engine/composition/validate.js';

/**
 * Mutated documentation machines: every field somewhere replaced by an odd value. The converter either converts (and
 * the result passes the IR's validation, unknown actions aside) or refuses with WHIRL_ASL_UNSUPPORTED — never
 * another exception, which the API would turn into a 500.
 */
const seeds = readdirSync('test/fixtures/asl')
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(`test/fixtures/asl/${f}`, 'utf8')) as unknown);

let seed = 12345;
const rand = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const ODD: unknown[] = [null, 0, -1, 1e300, 1.5, '', '$', '$$', '$.', '$[', 'States.', 'States.Format(', "States.Format('{}')", '__proto__', [], [[]], {}, { Type: 'Choice' }, true, 'x'.repeat(2000)];

function paths(v: unknown, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function mutate(doc: unknown): unknown {
  const copy = structuredClone(doc);
  const all = paths(copy).filter((p) => p.length > 0);
  for (let n = 0; n < 1 + rand(3); n++) {
    const p = all[rand(all.length)]!;
    let cur: unknown = copy;
    for (const seg of p.slice(0, -1)) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string | number, unknown>)[seg] : undefined;
    if (typeof cur !== 'object' || cur === null) continue;
    const last = p[p.length - 1]!;
    const target = cur as Record<string | number, unknown>;
    // (Arrays lose elements by splice: JSON, what the API parses, has no holes.)
    if (rand(4) === 0) {
      if (Array.isArray(target)) target.splice(Number(last), 1);
      else delete target[last];
    }
    else target[last] = structuredClone(ODD[rand(ODD.length)]);
  }
  return copy;
}

describe('mutated machines', () => {
  it('convert or are refused, 3000 times', () => {
    let converted = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const doc = mutate(seeds[i % seeds.length]);
      try {
        const def = importAsl(doc);
        const issues = validateDefinition(def, { actionExists: () => true });
        expect(issues, JSON.stringify(doc)).toEqual([]);
        converted++;
      } catch (e) {
        if (!(e instanceof AslRefusal)) throw new Error(`${String(e)} for ${JSON.stringify(doc)}`);
        refused++;
      }
    }
    expect(converted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
