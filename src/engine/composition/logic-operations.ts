/**
 * json-logic's standard operations (jsonlogic.com/operations.html) as compositions evaluate them, minus `log` (a
 * definition must not write into Whirl's own log). Eager operations receive their arguments evaluated; the lazy ones
 * (`if`, `and`, `or`, the array operations, `var`, `missing*`) are special forms of the evaluator (logic.ts) and
 * appear here with their arity only, so the allow-list and the deploy check know every name in one table.
 */
export interface Operation {
  /** Fewest and most arguments (`Infinity`: any number). A non-array argument counts as one. */
  arity: readonly [number, number];
  /** Absent for the evaluator's special forms. */
  apply?: (args: unknown[]) => unknown;
}

const num = (v: unknown): number => parseFloat(String(v));

export const SPECIAL_FORMS = ['var', 'missing', 'missing_some', 'if', '?:', 'and', 'or', 'map', 'filter', 'reduce', 'all', 'none', 'some'] as const;

export const STANDARD_OPERATIONS: Record<string, Operation> = {
  var: { arity: [0, 2] },
  missing: { arity: [0, Infinity] },
  missing_some: { arity: [2, 2] },
  if: { arity: [0, Infinity] },
  '?:': { arity: [0, Infinity] },
  and: { arity: [1, Infinity] },
  or: { arity: [1, Infinity] },
  map: { arity: [2, 2] },
  filter: { arity: [2, 2] },
  reduce: { arity: [2, 3] },
  all: { arity: [2, 2] },
  none: { arity: [2, 2] },
  some: { arity: [2, 2] },
  /** Loose equality, as json-logic defines it (and so `!=`). */
  '==': { arity: [2, 2], apply: ([a, b]) => a == b },
  '===': { arity: [2, 2], apply: ([a, b]) => a === b },
  '!=': { arity: [2, 2], apply: ([a, b]) => a != b },
  '!==': { arity: [2, 2], apply: ([a, b]) => a !== b },
  '>': { arity: [2, 2], apply: ([a, b]) => (a as number) > (b as number) },
  '>=': { arity: [2, 2], apply: ([a, b]) => (a as number) >= (b as number) },
  '<': { arity: [2, 3], apply: ([a, b, c]) => (c === undefined ? (a as number) < (b as number) : (a as number) < (b as number) && (b as number) < (c as number)) },
  '<=': { arity: [2, 3], apply: ([a, b, c]) => (c === undefined ? (a as number) <= (b as number) : (a as number) <= (b as number) && (b as number) <= (c as number)) },
  '!!': { arity: [1, 1], apply: ([a]) => truthy(a) },
  '!': { arity: [1, 1], apply: ([a]) => !truthy(a) },
  '%': { arity: [2, 2], apply: ([a, b]) => (a as number) % (b as number) },
  in: { arity: [2, 2], apply: ([a, b]) => (typeof b === 'string' ? b.includes(String(a)) : Array.isArray(b) ? b.includes(a) : false) },
  cat: { arity: [0, Infinity], apply: (args) => args.map((a) => (a === null || a === undefined ? '' : String(a))).join('') },
  substr: {
    arity: [2, 3],
    apply: ([source, start, end]) => {
      const s = String(source);
      const from = num(start) < 0 ? Math.max(0, s.length + num(start)) : num(start);
      const rest = s.slice(from);
      if (end === undefined) return rest;
      return num(end) < 0 ? rest.slice(0, Math.max(0, rest.length + num(end))) : rest.slice(0, num(end));
    },
  },
  '+': { arity: [0, Infinity], apply: (args) => args.reduce<number>((a, b) => a + num(b), 0) },
  '*': { arity: [1, Infinity], apply: (args) => args.slice(1).reduce<number>((a, b) => a * num(b), num(args[0])) },
  '-': { arity: [1, 2], apply: ([a, b]) => (b === undefined ? -(a as number) : (a as number) - (b as number)) },
  '/': { arity: [2, 2], apply: ([a, b]) => (a as number) / (b as number) },
  min: { arity: [0, Infinity], apply: (args) => Math.min(...(args as number[])) },
  max: { arity: [0, Infinity], apply: (args) => Math.max(...(args as number[])) },
  merge: { arity: [0, Infinity], apply: (args) => args.flatMap((a) => (Array.isArray(a) ? a : [a])) },
};

/** json-logic truthiness (`[]` is false, unlike JavaScript). */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value) && value.length === 0) return false;
  return Boolean(value);
}
