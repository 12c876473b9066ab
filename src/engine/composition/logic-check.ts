import { operationOf } from './logic.js';

/** One problem in a json-logic expression, at a JSON-pointer path relative to the expression. */
export interface LogicIssue {
  path: string;
  problem: string;
}

/** Deeper expressions are refused (the evaluator walks them recursively). */
const MAX_LOGIC_DEPTH = 64;

/**
 * Checks a json-logic expression before deploy (pure). `condition`: it decides a branch or a loop, so it must be a
 * literal or a registered operation — a one-key object naming no operation (`{"gt": …}`, `{"vra": "x"}`) would be a
 * truthy literal and is refused. In a value position such an object is a template (`{"id": {"var": "input.id"}}`)
 * and only what it contains is checked. Everywhere: argument counts, and `var` paths (a string, number or null, with
 * an optional default).
 */
export function checkLogic(logic: unknown, opts: { condition: boolean }): LogicIssue[] {
  const issues: LogicIssue[] = [];
  walk(logic, '', opts.condition, 0);
  return issues;

  function walk(l: unknown, path: string, condition: boolean, depth: number): void {
    if (depth > MAX_LOGIC_DEPTH) {
      issues.push({ path, problem: `json-logic nested deeper than ${MAX_LOGIC_DEPTH}` });
      return;
    }
    if (Array.isArray(l)) return l.forEach((x, i) => walk(x, `${path}/${i}`, false, depth + 1));
    if (typeof l !== 'object' || l === null) return;
    const keys = Object.keys(l);
    const call = operationOf(l);
    if (!call) {
      if (condition && keys.length === 1) issues.push({ path, problem: `unknown json-logic operation ${JSON.stringify(keys[0])}` });
      else if (condition) issues.push({ path, problem: 'a condition must be a json-logic operation or a literal, not an object' });
      for (const k of keys) walk((l as Record<string, unknown>)[k], `${path}/${escape(k)}`, false, depth + 1);
      return;
    }
    const [min, max] = call.op.arity;
    const n = call.args.length;
    const at = `${path}/${escape(call.name)}`;
    if (n < min || n > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      issues.push({ path: at, problem: `${call.name} takes ${want} argument${want === '1' ? '' : 's'}, not ${n}` });
    }
    if (call.name === 'var') {
      const p = call.args[0];
      if (!(p === undefined || p === null || typeof p === 'string' || typeof p === 'number' || operationOf(p))) {
        issues.push({ path: at, problem: 'var takes a path (a string or a number) and an optional default' });
      }
    }
    const raw = (l as Record<string, unknown>)[call.name];
    if (Array.isArray(raw)) raw.forEach((a, i) => walk(a, `${at}/${i}`, false, depth + 1));
    else walk(raw, at, false, depth + 1);
  }
}

/** JSON-pointer escaping of one segment. */
function escape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

