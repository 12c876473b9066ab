import { createHash, randomUUID } from 'node:crypto';

/**
 * Step Functions' intrinsic functions (`States.Format`, `States.Array…`, …), pure apart from `States.UUID` and an
 * unseeded `States.MathRandom`. Arguments arrive evaluated. Every function bounds what it builds, and any misuse
 * throws (the step then fails with `TransformError`, where Step Functions raises States.IntrinsicFailure).
 */
export class IntrinsicError extends Error {}

const MAX_STRING = 262_144; // Step Functions' payload limit (256 KiB)
const MAX_ARRAY = 10_000;
const MAX_RANGE = 1_000; // States.ArrayRange's documented limit
const MAX_BASE64 = 10_000; // States.Base64Encode/Decode's documented limit

function fail(fn: string, why: string): never {
  throw new IntrinsicError(`States.${fn}: ${why}`);
}

function str(fn: string, v: unknown, what = 'argument'): string {
  if (typeof v !== 'string') fail(fn, `the ${what} must be a string`);
  return v;
}
function arr(fn: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) fail(fn, 'the first argument must be an array');
  return v;
}
function int(fn: string, v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(fn, `${what} must be an integer`);
  return v;
}
function bounded(fn: string, s: string): string {
  if (s.length > MAX_STRING) fail(fn, `the result exceeds ${MAX_STRING} characters`);
  return s;
}

/** Deep equality of JSON values (for ArrayContains / ArrayUnique). */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * `States.Format`: the template arrives as written (escapes intact), so `\{` stays a brace and `{}` takes the next
 * argument; arguments are strings, numbers, booleans or null.
 */
function format(template: unknown, ...args: unknown[]): string {
  const t = str('Format', template, 'template');
  let out = '';
  let next = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '\\' && i + 1 < t.length) out += t[++i];
    else if (c === '{' && t[i + 1] === '}') {
      if (next >= args.length) fail('Format', 'more {} placeholders than arguments');
      const a = args[next++];
      if (a !== null && typeof a === 'object') fail('Format', 'arguments must be strings, numbers, booleans or null');
      out += a === null ? 'null' : String(a);
      i++;
    } else out += c;
    if (out.length > MAX_STRING) fail('Format', `the result exceeds ${MAX_STRING} characters`);
  }
  if (next !== args.length) fail('Format', 'more arguments than {} placeholders');
  return out;
}

function partition(a: unknown, size: unknown): unknown[][] {
  const items = arr('ArrayPartition', a);
  const n = int('ArrayPartition', size, 'the chunk size');
  if (n < 1) fail('ArrayPartition', 'the chunk size must be positive');
  const out: unknown[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

function range(start: unknown, end: unknown, stepBy: unknown): number[] {
  const a = int('ArrayRange', start, 'the start');
  const b = int('ArrayRange', end, 'the end');
  const s = int('ArrayRange', stepBy, 'the step');
  if (s === 0) fail('ArrayRange', 'the step must not be 0');
  const out: number[] = [];
  for (let i = a; s > 0 ? i <= b : i >= b; i += s) {
    if (out.length >= MAX_RANGE) fail('ArrayRange', `the range has more than ${MAX_RANGE} items`);
    out.push(i);
  }
  return out;
}

function getItem(a: unknown, index: unknown): unknown {
  const items = arr('ArrayGetItem', a);
  const i = int('ArrayGetItem', index, 'the index');
  if (i < 0 || i >= items.length) fail('ArrayGetItem', `index ${i} is out of bounds`);
  return items[i];
}

function unique(a: unknown): unknown[] {
  const seen = new Set<string>();
  return arr('ArrayUnique', a).filter((v) => {
    const k = canonical(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function base64Encode(v: unknown): string {
  const s = str('Base64Encode', v);
  if (s.length > MAX_BASE64) fail('Base64Encode', `the input exceeds ${MAX_BASE64} characters`);
  return Buffer.from(s, 'utf8').toString('base64');
}

function base64Decode(v: unknown): string {
  const s = str('Base64Decode', v);
  if (s.length > MAX_BASE64) fail('Base64Decode', `the input exceeds ${MAX_BASE64} characters`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail('Base64Decode', 'the input is not base64');
  return Buffer.from(s, 'base64').toString('utf8');
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function hash(data: unknown, algorithm: unknown): string {
  const alg = Object.prototype.hasOwnProperty.call(HASHES, String(algorithm)) ? HASHES[String(algorithm)] : undefined;
  if (!alg) fail('Hash', `the algorithm must be one of ${Object.keys(HASHES).join(', ')}`);
  const s = typeof data === 'string' ? data : JSON.stringify(data);
  if (s === undefined || s.length > MAX_STRING) fail('Hash', 'the input is not hashable');
  return createHash(alg).update(s, 'utf8').digest('hex');
}

function merge(a: unknown, b: unknown, deep: unknown): Record<string, unknown> {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(a) || !isObj(b)) fail('JsonMerge', 'both arguments must be objects');
  if (deep !== false) fail('JsonMerge', 'only a shallow merge (false) is supported, as in Step Functions');
  const out: Record<string, unknown> = {};
  for (const src of [a, b]) {
    for (const k of Object.keys(src)) Object.defineProperty(out, k, { value: src[k], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A seeded integer in [start, end] (mulberry32), or Math.random without a seed. */
function random(start: unknown, end: unknown, seed?: unknown): number {
  const a = int('MathRandom', start, 'the start');
  const b = int('MathRandom', end, 'the end');
  if (b < a) fail('MathRandom', 'the end must not be below the start');
  let r: number;
  if (seed === undefined) r = Math.random();
  else {
    let t = (int('MathRandom', seed, 'the seed') + 0x6d2b79f5) | 0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return a + Math.floor(r * (b - a + 1));
}

function add(a: unknown, b: unknown): number {
  return int('MathAdd', a, 'the first argument') + int('MathAdd', b, 'the second argument');
}

function split(s: unknown, delimiters: unknown): string[] {
  const text = str('StringSplit', s);
  const delims = new Set(str('StringSplit', delimiters, 'delimiter'));
  const out: string[] = [];
  let cur = '';
  for (const c of text) {
    if (delims.has(c)) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur !== '') out.push(cur);
  if (out.length > MAX_ARRAY) fail('StringSplit', `more than ${MAX_ARRAY} parts`);
  return out;
}

function stringToJson(s: unknown): unknown {
  try {
    return JSON.parse(str('StringToJson', s));
  } catch (e) {
    if (e instanceof IntrinsicError) throw e;
    return fail('StringToJson', 'the argument is not JSON');
  }
}

/** Intrinsic name (after `States.`) → implementation and accepted argument counts. */
export const INTRINSICS: Record<string, { fn: (...args: unknown[]) => unknown; min: number; max: number }> = {
  Format: { fn: format, min: 1, max: 64 },
  StringToJson: { fn: stringToJson, min: 1, max: 1 },
  JsonToString: { fn: (v) => bounded('JsonToString', JSON.stringify(v) ?? 'null'), min: 1, max: 1 },
  Array: {
    fn: (...a) => {
      if (a.length > MAX_ARRAY) fail('Array', `more than ${MAX_ARRAY} items`);
      return a;
    },
    min: 0,
    max: 256,
  },
  ArrayPartition: { fn: (a, n) => partition(a, n), min: 2, max: 2 },
  ArrayContains: { fn: (a, v) => arr('ArrayContains', a).some((x) => same(x, v)), min: 2, max: 2 },
  ArrayRange: { fn: (a, b, s) => range(a, b, s), min: 3, max: 3 },
  ArrayGetItem: { fn: (a, i) => getItem(a, i), min: 2, max: 2 },
  ArrayLength: { fn: (a) => arr('ArrayLength', a).length, min: 1, max: 1 },
  ArrayUnique: { fn: (a) => unique(a), min: 1, max: 1 },
  Base64Encode: { fn: (v) => base64Encode(v), min: 1, max: 1 },
  Base64Decode: { fn: (v) => base64Decode(v), min: 1, max: 1 },
  Hash: { fn: (d, a) => hash(d, a), min: 2, max: 2 },
  JsonMerge: { fn: (a, b, d) => merge(a, b, d), min: 3, max: 3 },
  MathRandom: { fn: (a, b, s) => random(a, b, s), min: 2, max: 3 },
  MathAdd: { fn: (a, b) => add(a, b), min: 2, max: 2 },
  StringSplit: { fn: (s, d) => split(s, d), min: 2, max: 2 },
  UUID: { fn: () => randomUUID(), min: 0, max: 0 },
};

/** Whether `name` is an intrinsic this engine runs (own keys only). */
export function isIntrinsic(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(INTRINSICS, name);
}
