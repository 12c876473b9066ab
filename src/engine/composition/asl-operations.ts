import { compare, COMPARISONS, stringMatches, typeTest, TYPE_TESTS } from '../../domain/asl/compare.js';
import { INTRINSICS, isIntrinsic } from '../../domain/asl/intrinsics.js';
import { placeAt, readPath } from '../../domain/asl/jsonpath.js';

/**
 * The json-logic operations that compositions imported from Amazon States Language use (see docs/asl.md): JSONPath
 * reads, ResultPath placement, object building, Choice comparisons, intrinsic functions. Registered in logic.ts.
 *
 * Every operation gets its arguments evaluated, reads own properties only, builds objects with own properties
 * (a `__proto__` key is data, never a prototype) and bounds what it builds; misuse throws, so the step fails with
 * `TransformError`.
 */
const MAX_KEYS = 10_000;

function path(p: unknown, data: unknown): unknown {
  if (typeof p !== 'string') throw new Error('asl:path needs a path string');
  const v = readPath(p, data);
  if (v === undefined) throw new Error(`the path ${p} does not exist in the input`);
  return v;
}

function present(p: unknown, data: unknown): boolean {
  if (typeof p !== 'string') throw new Error('asl:present needs a path string');
  const v = readPath(p, data);
  return Array.isArray(v) && !isDefinite(p) ? v.length > 0 : v !== undefined;
}

function isDefinite(p: string): boolean {
  return !/[*?:,]|\.\./.test(p);
}

function place(input: unknown, p: unknown, value: unknown): unknown {
  if (p === null) return input;
  if (typeof p !== 'string') throw new Error('asl:place needs a path string or null');
  return placeAt(input, p, value);
}

/** `{"asl:obj": [k1, v1, k2, v2…]}` → `{k1: v1, k2: v2}` (values already evaluated, so nested logic works). */
function obj(...kv: unknown[]): Record<string, unknown> {
  if (kv.length % 2 !== 0 || kv.length / 2 > MAX_KEYS) throw new Error('asl:obj needs key/value pairs');
  const out: Record<string, unknown> = {};
  for (let i = 0; i < kv.length; i += 2) {
    const k = kv[i];
    if (typeof k !== 'string') throw new Error('asl:obj keys are strings');
    Object.defineProperty(out, k, { value: kv[i + 1], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function cmp(op: unknown, left: unknown, right: unknown): boolean {
  if (typeof op !== 'string' || !COMPARISONS.has(op)) throw new Error(`asl:cmp: unknown operator ${String(op)}`);
  return compare(op, left, right);
}

function is(op: unknown, value: unknown, expected: unknown): boolean {
  if (typeof op !== 'string' || !TYPE_TESTS.has(op) || op === 'IsPresent') throw new Error(`asl:is: unknown test ${String(op)}`);
  return typeTest(op, value) === (expected === true);
}

function fn(name: unknown, ...args: unknown[]): unknown {
  if (typeof name !== 'string' || !isIntrinsic(name)) throw new Error(`unknown intrinsic States.${String(name)}`);
  const f = INTRINSICS[name]!;
  if (args.length < f.min || args.length > f.max) throw new Error(`States.${name} takes ${f.min}..${f.max} arguments`);
  return f.fn(...args);
}

/** A Whirl step error `{name, cause}` as Step Functions' error output `{Error, Cause}` (Cause is a string). */
function error(e: unknown): { Error: string; Cause: string } {
  const rec = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
  const name = Object.prototype.hasOwnProperty.call(rec, 'name') && typeof rec.name === 'string' ? rec.name : 'Error';
  const cause = Object.prototype.hasOwnProperty.call(rec, 'cause') ? rec.cause : undefined;
  return { Error: name, Cause: cause === undefined ? '' : typeof cause === 'string' ? cause : (JSON.stringify(cause) ?? '') };
}

/** Map iterations with an ItemSelector: each item with its index and the values the selector reads from the Map's input. */
function items(list: unknown, reads: unknown): Array<{ v: unknown; i: number; in: unknown }> {
  if (!Array.isArray(list)) throw new Error('the Map state ItemsPath must select an array');
  return list.map((v: unknown, i) => ({ v, i, in: reads }));
}

/** Wait SecondsPath: a non-negative number of seconds as milliseconds. */
function ms(seconds: unknown): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw new Error('SecondsPath must select a non-negative number');
  return Math.round(seconds * 1000);
}

export const ASL_OPERATIONS: Record<string, (...args: unknown[]) => unknown> = {
  'asl:path': path,
  'asl:present': present,
  'asl:place': place,
  'asl:obj': obj,
  'asl:cmp': cmp,
  'asl:is': is,
  'asl:matches': (v, p) => stringMatches(v, p),
  'asl:fn': fn,
  'asl:error': error,
  'asl:items': items,
  'asl:ms': ms,
};
