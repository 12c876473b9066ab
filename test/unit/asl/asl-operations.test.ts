import { describe, expect, it } from 'vitest';
import { ASL_OPERATIONS } from '../../../src/engine/composition/asl-operations.js';
import { placeAt, readPath } from '../../../src/domain/asl/jsonpath.js';
import { evaluate } from '../../../src/engine/composition/logic.js';

/** The runtime side: JSONPath reads and ResultPath writes, the asl: operations' bounds and prototype safety. */
const store = {
  book: [
    { title: 'A', price: 8, isbn: 'x' },
    { title: 'B', price: 12 },
    { title: 'C', price: 9, isbn: 'y' },
  ],
  'odd key': { v: 1 },
};

describe('JSONPath', () => {
  it.each([
    ['$', store],
    ['$.book[0].title', 'A'],
    ['$.book[-1].title', 'C'],
    ["$['odd key'].v", 1],
    ['$.book[*].title', ['A', 'B', 'C']],
    ['$.book[0:2].price', [8, 12]],
    ['$.book[0,2].title', ['A', 'C']],
    ['$..price', [8, 12, 9]],
    ['$.book[?(@.price < 10)].title', ['A', 'C']],
    ['$.book[?(@.isbn)].title', ['A', 'C']],
    ["$.book[?(@.title == 'B')].price", [12]],
    ['$.missing', undefined],
    ['$.book[7]', undefined],
  ])('%s', (path, expected) => {
    expect(readPath(path, store)).toEqual(expected);
  });

  it('reads own properties only', () => {
    expect(readPath('$.constructor', {})).toBeUndefined();
    expect(readPath('$.__proto__', {})).toBeUndefined();
    expect(readPath('$.toString', { a: 1 })).toBeUndefined();
    expect(readPath('$.length', [1, 2])).toBeUndefined();
  });

  it('places a result in a copy, creating objects on the way, never touching a prototype', () => {
    const input = { a: { b: 1 } };
    expect(placeAt(input, '$.a.c.d', 2)).toEqual({ a: { b: 1, c: { d: 2 } } });
    expect(input).toEqual({ a: { b: 1 } });
    const polluted = placeAt({}, '$.__proto__.admin', true) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.keys(polluted)).toEqual(['__proto__']);
    expect(() => placeAt({ a: 1 }, '$.a.b', 2)).toThrow(/non-object/);
    expect(() => placeAt({}, '$.a[*]', 2)).toThrow(/reference path/);
  });
});

describe('asl: operations', () => {
  const run = (logic: unknown, input: unknown = {}) => evaluate(logic, { input, vars: {} });

  it('are registered with json-logic', () => {
    expect(run({ 'asl:path': ['$.a', { var: 'input' }] }, { a: 3 })).toBe(3);
    expect(run({ 'asl:obj': ['x', { var: 'input.a' }, 'y', [1, { var: 'input.a' }]] }, { a: 3 })).toEqual({ x: 3, y: [1, 3] });
  });

  it('keep data that looks like json-logic as data', () => {
    expect(run({ 'asl:obj': ['q', { 'asl:obj': ['var', 'input'] }] })).toEqual({ q: { var: 'input' } });
  });

  it('build own properties, even for __proto__', () => {
    const o = ASL_OPERATIONS['asl:obj']!('__proto__', { admin: true }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
  });

  it('turn an error into {Error, Cause} with a string Cause', () => {
    expect(ASL_OPERATIONS['asl:error']!({ name: 'Boom', cause: { why: 1 } })).toEqual({ Error: 'Boom', Cause: '{"why":1}' });
    expect(ASL_OPERATIONS['asl:error']!({ name: 'Boom', cause: 'text' })).toEqual({ Error: 'Boom', Cause: 'text' });
  });

  it('bound and check intrinsics', () => {
    const fn = ASL_OPERATIONS['asl:fn']!;
    expect(() => fn('ArrayRange', 1, 100_000, 1)).toThrow(/more than 1000/);
    expect(() => fn('Format', 'a {} {}', 1)).toThrow(/placeholders/);
    expect(() => fn('Format', 'a', 1)).toThrow(/more arguments/);
    expect(() => fn('Hash', 'x', 'CRC32')).toThrow(/algorithm/);
    expect(() => fn('Base64Decode', '***')).toThrow(/not base64/);
    expect(() => fn('JsonMerge', { a: 1 }, { b: 2 }, true)).toThrow(/shallow/);
    expect(() => fn('constructor')).toThrow(/unknown intrinsic/);
    expect(() => fn('MathAdd', 1.5, 1)).toThrow(/integer/);
    expect(fn('MathRandom', 1, 10, 7)).toBe(fn('MathRandom', 1, 10, 7));
    const r = fn('MathRandom', 1, 3) as number;
    expect([1, 2, 3]).toContain(r);
    expect(fn('UUID')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('fail on a missing path (the step fails with TransformError)', () => {
    expect(() => run({ 'asl:path': ['$.nope', { var: 'input' }] })).toThrow(/does not exist/);
  });
});
