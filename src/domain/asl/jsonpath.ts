/**
 * JSONPath as Amazon States Language uses it (pure): `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[*]`, `.*`, `..name`,
 * slices `[1:3]`, unions `[0,2]` / `['a','b']`, and filters `[?(@.x OP literal)]` / `[?(@.x)]`. A definite path
 * (names and indexes only) reads one value; any other path reads the array of its matches, as Step Functions does.
 *
 * Reads see own properties only (never a prototype), so `$.constructor` or `$.__proto__` on a plain object is absent.
 */
export type Segment =
  | { k: 'name'; name: string }
  | { k: 'index'; i: number }
  | { k: 'wild' }
  | { k: 'slice'; start?: number; end?: number; step?: number }
  | { k: 'union'; items: Array<string | number> }
  | { k: 'desc'; name?: string }
  | { k: 'filter'; field: string[]; op?: FilterOp; value?: unknown };

type FilterOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface ParsedPath {
  segments: Segment[];
  /** Only names and indexes: the path names one node (required of ResultPath). */
  definite: boolean;
}

export class JsonPathError extends Error {}

const MAX_PATH = 1024;
const NAME = /^[^.[\]\s'"()@,*?$]+/;

export function parsePath(path: string): ParsedPath {
  if (typeof path !== 'string' || !path.startsWith('$')) throw new JsonPathError('a path starts with $');
  if (path.length > MAX_PATH) throw new JsonPathError(`a path is at most ${MAX_PATH} characters`);
  const segments: Segment[] = [];
  let s = path.slice(1);
  while (s.length > 0) {
    if (s.startsWith('..')) {
      s = s.slice(2);
      if (s.startsWith('*')) {
        segments.push({ k: 'desc' });
        s = s.slice(1);
        continue;
      }
      const m = NAME.exec(s);
      if (!m) throw new JsonPathError(`expected a name after .. in ${path}`);
      segments.push({ k: 'desc', name: m[0] });
      s = s.slice(m[0].length);
    } else if (s.startsWith('.')) {
      s = s.slice(1);
      if (s.startsWith('*')) {
        segments.push({ k: 'wild' });
        s = s.slice(1);
        continue;
      }
      const m = NAME.exec(s);
      if (!m) throw new JsonPathError(`expected a name after . in ${path}`);
      segments.push({ k: 'name', name: m[0] });
      s = s.slice(m[0].length);
    } else if (s.startsWith('[')) {
      const end = closing(s, path);
      segments.push(bracket(s.slice(1, end).trim(), path));
      s = s.slice(end + 1);
    } else throw new JsonPathError(`unexpected ${JSON.stringify(s[0])} in ${path}`);
  }
  return { segments, definite: segments.every((g) => g.k === 'name' || g.k === 'index') };
}

/** Index of the `]` closing the bracket at s[0], skipping quoted strings. */
function closing(s: string, path: string): number {
  let quote: string | undefined;
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  throw new JsonPathError(`unclosed [ in ${path}`);
}

function bracket(inner: string, path: string): Segment {
  if (inner === '*') return { k: 'wild' };
  if (inner.startsWith('?(') && inner.endsWith(')')) return filter(inner.slice(2, -1).trim(), path);
  if (/^-?\d*:-?\d*(:-?\d*)?$/.test(inner)) {
    const [a, b, c] = inner.split(':').map((x) => (x === '' ? undefined : Number(x)));
    return { k: 'slice', ...(a !== undefined ? { start: a } : {}), ...(b !== undefined ? { end: b } : {}), ...(c !== undefined ? { step: c } : {}) };
  }
  const items = splitUnion(inner).map((part) => literalKey(part, path));
  if (items.length === 1) {
    const only = items[0]!;
    return typeof only === 'number' ? { k: 'index', i: only } : { k: 'name', name: only };
  }
  return { k: 'union', items };
}

function splitUnion(inner: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let cur = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      cur += c;
      if (c === '\\') cur += inner[++i] ?? '';
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === ',') {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  parts.push(cur.trim());
  return parts;
}

function literalKey(part: string, path: string): string | number {
  if (/^-?\d+$/.test(part)) return Number(part);
  const q = part[0];
  if ((q === "'" || q === '"') && part.endsWith(q) && part.length >= 2) return part.slice(1, -1).replace(/\\(.)/g, '$1');
  throw new JsonPathError(`unsupported bracket [${part}] in ${path}`);
}

const FILTER = /^@((?:\.[^.\s=!<>()]+)+)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?$/;

function filter(expr: string, path: string): Segment {
  const m = FILTER.exec(expr);
  if (!m) throw new JsonPathError(`unsupported filter ?(${expr}) in ${path}: use @.field, or @.field OP literal`);
  const field = m[1]!.slice(1).split('.');
  if (m[2] === undefined) return { k: 'filter', field };
  const raw = m[3]!.trim();
  let value: unknown;
  if (/^'.*'$/.test(raw)) value = raw.slice(1, -1);
  else {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new JsonPathError(`unsupported literal ${raw} in filter of ${path}`);
    }
  }
  return { k: 'filter', field, op: m[2] as FilterOp, value };
}

/** An own property, or undefined (never the prototype chain). */
export function own(v: unknown, key: string | number): unknown {
  if (Array.isArray(v)) {
    if (typeof key !== 'number') return undefined;
    const i = key < 0 ? v.length + key : key;
    return i >= 0 && i < v.length ? v[i] : undefined;
  }
  if (typeof v !== 'object' || v === null || typeof key !== 'string') return undefined;
  return Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, unknown>)[key] : undefined;
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'object' && v !== null) return Object.values(v);
  return [];
}

const MAX_MATCHES = 100_000;

function step(nodes: unknown[], g: Segment): unknown[] {
  const out: unknown[] = [];
  const push = (v: unknown): void => {
    if (v === undefined) return;
    if (out.length >= MAX_MATCHES) throw new JsonPathError(`a path matches more than ${MAX_MATCHES} values`);
    out.push(v);
  };
  for (const n of nodes) {
    switch (g.k) {
      case 'name':
        push(own(n, g.name));
        break;
      case 'index':
        push(own(n, g.i));
        break;
      case 'wild':
        children(n).forEach(push);
        break;
      case 'union':
        for (const item of g.items) push(own(n, item));
        break;
      case 'slice':
        if (Array.isArray(n)) sliceOf(n, g).forEach(push);
        break;
      case 'filter':
        for (const c of children(n)) if (matches(c, g)) push(c);
        break;
      case 'desc':
        descend(n, g.name, push);
        break;
    }
  }
  return out;
}

function sliceOf(a: unknown[], g: Extract<Segment, { k: 'slice' }>): unknown[] {
  const len = a.length;
  const stepBy = g.step ?? 1;
  if (stepBy <= 0) return [];
  const norm = (x: number | undefined, d: number): number => (x === undefined ? d : x < 0 ? Math.max(0, len + x) : Math.min(len, x));
  const out: unknown[] = [];
  for (let i = norm(g.start, 0); i < norm(g.end, len); i += stepBy) out.push(a[i]);
  return out;
}

function matches(v: unknown, g: Extract<Segment, { k: 'filter' }>): boolean {
  let cur: unknown = v;
  for (const f of g.field) cur = own(cur, f);
  if (g.op === undefined) return cur !== undefined;
  if (cur === undefined) return false;
  const want = g.value;
  switch (g.op) {
    case '==':
      return JSON.stringify(cur) === JSON.stringify(want);
    case '!=':
      return JSON.stringify(cur) !== JSON.stringify(want);
    default:
      if (typeof cur !== typeof want || (typeof cur !== 'number' && typeof cur !== 'string')) return false;
      if (g.op === '<') return (cur as number) < (want as number);
      if (g.op === '<=') return (cur as number) <= (want as number);
      if (g.op === '>') return (cur as number) > (want as number);
      return (cur as number) >= (want as number);
  }
}

function descend(n: unknown, name: string | undefined, push: (v: unknown) => void, depth = 0): void {
  if (depth > 64 || typeof n !== 'object' || n === null) return;
  if (name === undefined) children(n).forEach(push);
  else push(own(n, name));
  for (const c of children(n)) descend(c, name, push, depth + 1);
}

const cache = new Map<string, ParsedPath>();

/** Parsed once per distinct path (bounded cache): definitions reuse a handful of paths many times. */
export function parsed(path: string): ParsedPath {
  let p = cache.get(path);
  if (!p) {
    p = parsePath(path);
    if (cache.size >= 2000) cache.clear();
    cache.set(path, p);
  }
  return p;
}

/** Reads `path` from `data`: one value for a definite path (absent → undefined), else the array of matches. */
export function readPath(path: string, data: unknown): unknown {
  const p = parsed(path);
  let nodes: unknown[] = [data];
  for (const g of p.segments) nodes = step(nodes, g);
  return p.definite ? nodes[0] : nodes;
}

/**
 * A copy of `input` with `value` placed at the definite path (ResultPath): missing objects on the way are created;
 * a non-object on the way is an error, as in Step Functions (States.ResultPathMatchFailure).
 */
export function placeAt(input: unknown, path: string, value: unknown): unknown {
  const p = parsed(path);
  if (!p.definite) throw new JsonPathError(`${path} is not a reference path (names and indexes only)`);
  if (p.segments.length === 0) return value;
  const root = structuredClone(input);
  let cur: unknown = root;
  p.segments.forEach((g, i) => {
    const last = i === p.segments.length - 1;
    if (g.k === 'index') {
      if (!Array.isArray(cur) || own(cur, g.i) === undefined) throw new JsonPathError(`${path}: no array element ${g.i}`);
      const at = g.i < 0 ? cur.length + g.i : g.i;
      if (last) cur[at] = value;
      else cur = cur[at];
      return;
    }
    if (g.k !== 'name') return;
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) throw new JsonPathError(`${path}: cannot set ${g.name} on a non-object`);
    const obj = cur as Record<string, unknown>;
    let next = own(obj, g.name);
    if (last) next = value;
    else if (next === undefined) next = {};
    Object.defineProperty(obj, g.name, { value: next, enumerable: true, writable: true, configurable: true });
    cur = next;
  });
  return root;
}
