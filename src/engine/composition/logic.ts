import { ASL_OPERATIONS } from './asl-operations.js';
import { SHAPE_OPERATIONS } from './shape-operations.js';
import { type Operation, STANDARD_OPERATIONS, truthy } from './logic-operations.js';

export { truthy } from './logic-operations.js';
export type { Operation } from './logic-operations.js';

/**
 * json-logic for compositions (pure), evaluated as data only: `var` reads own properties of the data (never a
 * prototype's: `input.constructor` is not found), no operation has a side effect, and an error thrown while
 * evaluating is the step's error. A plain value that is not an operation (an object with one key naming a
 * registered operation) is a template whose leaves are evaluated, so `{"id": {"var": "input.id"}}` builds an
 * object — json-logic alone would reject a multi-key object.
 *
 * The operations allowed are ONE table, `OPERATIONS`: the standard ones, plus sets registered below with one line
 * each. Deploy-time checks (logic-check.ts) and evaluation read the same table.
 */
const OPERATIONS = new Map<string, Operation>(Object.entries(STANDARD_OPERATIONS));

/** Adds operations to the allow-list (names already taken are refused: an extension cannot change a standard one). */
export function registerOperations(ops: Record<string, Operation>): void {
  for (const [name, op] of Object.entries(ops)) {
    if (OPERATIONS.has(name)) throw new Error(`json-logic operation ${name} is already registered`);
    if (!op.apply) throw new Error(`json-logic operation ${name} needs apply`);
    OPERATIONS.set(name, op);
  }
}

// Operation sets beyond the standard, one line each.
registerOperations(
  Object.fromEntries(
    Object.entries(ASL_OPERATIONS).map(([name, fn]) => [name, { arity: [0, Infinity], apply: (args: unknown[]) => fn(...args) }]),
  ),
);
registerOperations(SHAPE_OPERATIONS);

/** The operation an object names, if it is one (exactly one key, registered). */
export function operationOf(logic: unknown): { name: string; op: Operation; args: unknown[] } | undefined {
  if (typeof logic !== 'object' || logic === null || Array.isArray(logic)) return undefined;
  const keys = Object.keys(logic);
  if (keys.length !== 1) return undefined;
  const name = keys[0]!;
  const op = OPERATIONS.get(name);
  if (!op) return undefined;
  const raw = (logic as Record<string, unknown>)[name];
  return { name, op, args: Array.isArray(raw) ? raw : [raw] };
}

export function evaluate(logic: unknown, data: unknown): unknown {
  if (Array.isArray(logic)) return logic.map((l) => evaluate(l, data));
  if (typeof logic !== 'object' || logic === null) return logic;
  const call = operationOf(logic);
  if (call) return operate(call.name, call.op, call.args, data);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(logic)) {
    // defineProperty: a `__proto__` key is data, not the object's prototype.
    Object.defineProperty(out, k, { value: evaluate(v, data), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function operate(name: string, op: Operation, args: unknown[], data: unknown): unknown {
  const ev = (i: number) => evaluate(args[i], data);
  switch (name) {
    case 'var':
      return readVar(data, ev(0), args.length > 1 ? ev(1) : null);
    case 'missing': {
      const first = ev(0);
      const keys = Array.isArray(first) ? first : args.map((_, i) => ev(i));
      return keys.filter((k) => {
        const v = readVar(data, k, null);
        return v === null || v === '';
      });
    }
    case 'missing_some': {
      const need = Number(ev(0));
      const options = ev(1);
      if (!Array.isArray(options)) return [];
      const missing = operate('missing', OPERATIONS.get('missing')!, [options], data) as unknown[];
      return options.length - missing.length >= need ? [] : missing;
    }
    case 'if':
    case '?:': {
      let i = 0;
      for (; i < args.length - 1; i += 2) if (truthy(ev(i))) return ev(i + 1);
      return i === args.length - 1 ? ev(i) : null;
    }
    case 'and':
    case 'or': {
      let cur: unknown;
      for (let i = 0; i < args.length; i++) {
        cur = ev(i);
        if (truthy(cur) !== (name === 'and')) return cur;
      }
      return cur;
    }
    case 'map':
    case 'filter':
    case 'all':
    case 'none':
    case 'some': {
      const items = ev(0);
      if (!Array.isArray(items)) return name === 'map' || name === 'filter' ? [] : name === 'none';
      const each = (d: unknown) => evaluate(args[1], d);
      if (name === 'map') return items.map(each);
      if (name === 'filter') return items.filter((d) => truthy(each(d)));
      if (name === 'all') return items.length > 0 && items.every((d) => truthy(each(d)));
      if (name === 'none') return !items.some((d) => truthy(each(d)));
      return items.some((d) => truthy(each(d)));
    }
    case 'reduce': {
      const items = ev(0);
      const initial = args.length > 2 ? ev(2) : null;
      if (!Array.isArray(items)) return initial;
      return items.reduce((accumulator: unknown, current: unknown) => evaluate(args[1], { current, accumulator }), initial);
    }
    default:
      return op.apply!(args.map((_, i) => ev(i)));
  }
}

/** `var`: a dotted path (or array index) through own properties of objects and arrays only. */
function readVar(data: unknown, path: unknown, notFound: unknown): unknown {
  if (path === undefined || path === null || path === '') return data;
  let cur = data;
  for (const seg of String(path).split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, seg)) return notFound;
    cur = (cur as Record<string, unknown>)[seg];
    if (cur === undefined) return notFound;
  }
  return cur;
}
