import type { Logic } from '../../domain/composition.js';
import { COMPARISONS, TYPE_TESTS } from '../../domain/asl/compare.js';
import { checkPath, reference, type Scope } from './expressions.js';
import { isObj, refuse } from './refuse.js';

/**
 * A Choice rule as json-logic over the Choice's effective input (`scope.self`): `And`/`Or`/`Not`, every comparison
 * (`StringEquals`…`TimestampGreaterThanEqualsPath`), `StringMatches`, and the type tests. As in Step Functions, a
 * comparison on a missing `Variable` fails the state (except `IsPresent`), and one on a value of another type is false.
 */
export function choiceRule(scope: Scope, rule: unknown, where: string, depth = 0): Logic {
  if (!isObj(rule)) refuse(scope.state, `${where} must be an object`);
  if (depth > 32) refuse(scope.state, `${where}: rules nest too deeply`);
  if ('And' in rule || 'Or' in rule) {
    const key = 'And' in rule ? 'And' : 'Or';
    const list = rule[key];
    if (!Array.isArray(list) || list.length === 0) refuse(scope.state, `${where}.${key} must be a non-empty array`);
    return { [key.toLowerCase()]: list.map((r, i) => choiceRule(scope, r, `${where}.${key}[${i}]`, depth + 1)) };
  }
  if ('Not' in rule) return { '!': [choiceRule(scope, rule.Not, `${where}.Not`, depth + 1)] };
  if (typeof rule.Variable !== 'string') refuse(scope.state, `${where} needs a Variable (or And/Or/Not)`);
  const variable = rule.Variable;
  const ops = Object.keys(rule).filter((k) => k !== 'Variable' && k !== 'Next' && k !== 'Comment');
  if (ops.length !== 1) refuse(scope.state, `${where} must have exactly one comparison operator`);
  const op = ops[0]!;
  const operand: unknown = rule[op];
  const field = `${where}.Variable`;
  if (op === 'IsPresent') {
    if (typeof operand !== 'boolean') refuse(scope.state, `${where}.IsPresent takes true or false`);
    const test: Logic = { 'asl:present': [pathOf(scope, variable, field), scope.self] };
    return operand ? test : { '!': [test] };
  }
  const left = reference(scope, variable, field);
  if (TYPE_TESTS.has(op)) {
    if (typeof operand !== 'boolean') refuse(scope.state, `${where}.${op} takes true or false`);
    return { 'asl:is': [op, left, operand] };
  }
  const isPath = op.endsWith('Path');
  const base = isPath ? op.slice(0, -4) : op;
  const right: Logic = isPath ? reference(scope, operand, `${where}.${op}`) : literalOperand(scope, base, operand, `${where}.${op}`);
  if (base === 'StringMatches') {
    if (isPath) refuse(scope.state, `${where}: StringMatches takes a literal pattern`);
    return { 'asl:matches': [left, right] };
  }
  if (!COMPARISONS.has(base)) refuse(scope.state, `${where}: ${op} is not a Choice operator`);
  return { 'asl:cmp': [base, left, right] };
}

/** IsPresent needs a path into the input (not a context path or an intrinsic). */
function pathOf(scope: Scope, variable: string, field: string): string {
  if (!variable.startsWith('$') || variable.startsWith('$$')) refuse(scope.state, `${field}: IsPresent needs a path into the input`);
  checkPath(scope, variable, field);
  return variable;
}

function literalOperand(scope: Scope, base: string, v: unknown, field: string): Logic {
  const want = base.startsWith('Numeric') ? 'number' : base.startsWith('Boolean') ? 'boolean' : 'string';
  if (typeof v !== want) refuse(scope.state, `${field} must be a ${want}`);
  return v as Logic;
}
