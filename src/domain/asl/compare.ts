/**
 * Choice-rule comparisons with Step Functions' typing (pure): a comparison whose sides are not of the operator's
 * type is false, not an error; timestamps compare as instants (RFC 3339); `StringMatches` supports `*` wildcards with
 * `\*` and `\\` escapes.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function timestampOf(v: unknown): number | undefined {
  if (typeof v !== 'string' || !RFC3339.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

type Family = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

const FAMILIES: Family[] = ['String', 'Numeric', 'Boolean', 'Timestamp'];
const RELATIONS: Relation[] = ['Equals', 'LessThanEquals', 'GreaterThanEquals', 'LessThan', 'GreaterThan'];

/** The comparison operators (without their `…Path` form) that `compare` accepts. */
export const COMPARISONS: ReadonlySet<string> = new Set(
  FAMILIES.flatMap((f) => RELATIONS.filter((r) => f !== 'Boolean' || r === 'Equals').map((r) => `${f}${r}`)),
);

/** The type tests: `IsNull`, `IsPresent` (handled by the caller, which knows whether the path exists), … */
export const TYPE_TESTS: ReadonlySet<string> = new Set(['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp']);

function split(op: string): [Family, Relation] | undefined {
  for (const f of FAMILIES) {
    if (op.startsWith(f)) {
      const r = op.slice(f.length) as Relation;
      if (RELATIONS.includes(r)) return [f, r];
    }
  }
  return undefined;
}

function keyed(family: Family, v: unknown): number | string | boolean | undefined {
  switch (family) {
    case 'String':
      return typeof v === 'string' ? v : undefined;
    case 'Numeric':
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    case 'Boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'Timestamp':
      return timestampOf(v);
  }
}

/** `op` is one of COMPARISONS, e.g. `NumericGreaterThanEquals`. */
export function compare(op: string, left: unknown, right: unknown): boolean {
  const parts = split(op);
  if (!parts) throw new Error(`unknown comparison ${op}`);
  const [family, rel] = parts;
  const a = keyed(family, left);
  const b = keyed(family, right);
  if (a === undefined || b === undefined) return false;
  switch (rel) {
    case 'Equals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'GreaterThan':
      return a > b;
    case 'LessThanEquals':
      return a <= b;
    case 'GreaterThanEquals':
      return a >= b;
  }
}

/** `IsNull`, `IsNumeric`, `IsString`, `IsBoolean`, `IsTimestamp` of a present value. */
export function typeTest(op: string, v: unknown): boolean {
  switch (op) {
    case 'IsNull':
      return v === null;
    case 'IsNumeric':
      return typeof v === 'number' && Number.isFinite(v);
    case 'IsString':
      return typeof v === 'string';
    case 'IsBoolean':
      return typeof v === 'boolean';
    case 'IsTimestamp':
      return timestampOf(v) !== undefined;
    default:
      throw new Error(`unknown type test ${op}`);
  }
}

const MAX_PATTERN = 1024;

/** `StringMatches`: `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
export function stringMatches(value: unknown, pattern: unknown): boolean {
  if (typeof value !== 'string' || typeof pattern !== 'string' || pattern.length > MAX_PATTERN) return false;
  // Literal pieces between unescaped stars; matched greedily left to right (linear, no regex backtracking).
  const pieces: string[] = [];
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) cur += pattern[++i]!;
    else if (c === '*') {
      pieces.push(cur);
      cur = '';
    } else cur += c;
  }
  pieces.push(cur);
  if (pieces.length === 1) return value === pieces[0];
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (!value.startsWith(first) || value.length < first.length + last.length || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (const mid of pieces.slice(1, -1)) {
    const found = value.indexOf(mid, at);
    if (found < 0 || found + mid.length > end) return false;
    at = found + mid.length;
  }
  return true;
}
