import type { Logic } from '../../domain/composition.js';
import { isIntrinsic } from '../../domain/asl/intrinsics.js';
import { JsonPathError, parsePath } from '../../domain/asl/jsonpath.js';
import { isObj, refuse } from './refuse.js';

/**
 * Compiles ASL's data expressions — JSONPath references, `$$` context paths, intrinsic function calls, and payload
 * templates (`Parameters`, `ResultSelector`, `ItemSelector`, whose `key.$` values are expressions) — into the IR's
 * json-logic, using the `asl:` operations (src/engine/composition/asl-operations.ts). Pure.
 */
export interface Scope {
  /** The state being converted, for refusals and `$$.State.Name`. */
  state: string;
  /** The composition's name, for `$$.StateMachine.Name`. */
  machine: string;
  /** json-logic giving what `$` denotes here. */
  self: Logic;
  /** Inside a Map ItemSelector: the item and its index (`$$.Map.Item.Value` / `.Index`). */
  item?: { value: Logic; index: Logic };
  /**
   * Inside a Map ItemSelector: `$…` reads are taken once from the Map's input and handed to every iteration (so an
   * iteration carries what its selector reads, not the whole input). Returns the json-logic reading the captured value.
   */
  capture?: (path: string) => Logic;
  /** Called when `$$.Execution.Input` is used (the converter then records the execution input at the start). */
  usesExecutionInput: () => void;
}

/** The variable holding the execution input, for `$$.Execution.Input`. */
export const EXECUTION_INPUT_VAR = 'aslExecutionInput';

export const INPUT: Logic = { var: 'input' };

/** Validates a JSONPath at conversion time; returns it parsed. */
export function checkPath(scope: Pick<Scope, 'state'>, path: unknown, field: string): { definite: boolean } {
  if (typeof path !== 'string') refuse(scope.state, `${field} must be a JSONPath string`);
  try {
    return parsePath(path);
  } catch (e) {
    return refuse(scope.state, `${field}: ${e instanceof JsonPathError ? e.message : String(e)}`);
  }
}

/** `$…` read from `of` (`$` alone is `of` itself). */
export function readFrom(scope: Pick<Scope, 'state'>, path: string, of: Logic, field: string): Logic {
  checkPath(scope, path, field);
  return path === '$' ? of : { 'asl:path': [path, of] };
}

/** The value of a `key.$` field (or a Choice `…Path` operand): a path, a context path, or an intrinsic call. */
export function reference(scope: Scope, expr: unknown, field: string): Logic {
  if (typeof expr !== 'string') refuse(scope.state, `${field} must be a string (a path or an intrinsic function)`);
  const s = expr.trim();
  if (s.startsWith('$$')) return context(scope, s, field);
  if (s.startsWith('$')) {
    checkPath(scope, s, field);
    return scope.capture ? scope.capture(s) : readFrom(scope, s, scope.self, field);
  }
  if (s.startsWith('States.')) return intrinsic(scope, s, field);
  return refuse(scope.state, `${field}: ${JSON.stringify(expr)} is neither a path ($…) nor an intrinsic function (States.…)`);
}

const CONTEXT_HELP = 'the context object offers $$.Execution.Input, $$.State.Name, $$.StateMachine.Name and, in a Map ItemSelector, $$.Map.Item.Value and $$.Map.Item.Index';

function context(scope: Scope, s: string, field: string): Logic {
  const rest = (prefix: string): string | undefined => {
    if (s === prefix) return '$';
    const tail = s.slice(prefix.length);
    return s.startsWith(prefix) && (tail.startsWith('.') || tail.startsWith('[')) ? `$${tail}` : undefined;
  };
  const input = rest('$$.Execution.Input');
  if (input !== undefined) {
    scope.usesExecutionInput();
    return readFrom(scope, input, { var: `vars.${EXECUTION_INPUT_VAR}` }, field);
  }
  if (s === '$$.State.Name') return scope.state;
  if (s === '$$.StateMachine.Name') return scope.machine;
  if (scope.item) {
    const value = rest('$$.Map.Item.Value');
    if (value !== undefined) return readFrom(scope, value, scope.item.value, field);
    if (s === '$$.Map.Item.Index') return scope.item.index;
  }
  return refuse(scope.state, `${field}: ${s} is not available: ${CONTEXT_HELP}`);
}

/**
 * `States.Name(arg, …)`: arguments are 'strings' (with \' \{ \} \\ escapes), numbers, true/false/null, paths, or
 * nested calls. `States.Format`'s template keeps its escapes for the runtime, which tells `\{` from `{}`.
 */
export function intrinsic(scope: Scope, text: string, field: string): Logic {
  const p = new IntrinsicParser(scope, text, field);
  const out = p.call();
  p.end();
  return out;
}

class IntrinsicParser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly scope: Scope,
    private readonly s: string,
    private readonly field: string,
  ) {}

  private bad(why: string): never {
    return refuse(this.scope.state, `${this.field}: ${why} in ${this.s}`);
  }

  private ws(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  end(): void {
    this.ws();
    if (this.i !== this.s.length) this.bad(`unexpected text at position ${this.i}`);
  }

  call(): Logic {
    const m = /^States\.([A-Za-z0-9]+)\(/.exec(this.s.slice(this.i));
    if (!m) return this.bad('expected States.Function(');
    const name = m[1]!;
    if (!isIntrinsic(name)) this.bad(`States.${name} is not an intrinsic function Whirl knows`);
    if (++this.depth > 16) this.bad('intrinsic calls nest too deeply');
    this.i += m[0].length;
    const args: Logic[] = [];
    this.ws();
    if (this.s[this.i] === ')') this.i++;
    else {
      for (;;) {
        this.ws();
        args.push(this.arg(name === 'Format' && args.length === 0));
        this.ws();
        const c = this.s[this.i++];
        if (c === ')') break;
        if (c !== ',') this.bad('expected , or )');
      }
    }
    this.depth--;
    return { 'asl:fn': [name, ...args] };
  }

  private arg(rawString: boolean): Logic {
    const c = this.s[this.i];
    if (c === "'") return this.string(rawString);
    if (c === '$') return this.path();
    if (this.s.startsWith('States.', this.i)) return this.call();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i));
    if (!m) return this.bad(`unexpected argument at position ${this.i}`);
    this.i += m[0].length;
    return JSON.parse(m[0]) as Logic;
  }

  private string(raw: boolean): string {
    let out = '';
    for (this.i++; this.i < this.s.length; this.i++) {
      const c = this.s[this.i]!;
      if (c === '\\') {
        const n = this.s[++this.i];
        if (n === undefined) break;
        out += raw && (n === '{' || n === '}' || n === '\\') ? `\\${n}` : n;
      } else if (c === "'") {
        this.i++;
        return out;
      } else out += c;
    }
    return this.bad('unterminated string');
  }

  private path(): Logic {
    const start = this.i;
    let bracket = 0;
    let quote = false;
    for (; this.i < this.s.length; this.i++) {
      const c = this.s[this.i]!;
      if (quote) {
        if (c === '\\') this.i++;
        else if (c === "'") quote = false;
      } else if (c === "'") quote = true;
      else if (c === '[') bracket++;
      else if (c === ']') bracket--;
      else if (bracket === 0 && (c === ',' || c === ')' || c === ' ')) break;
    }
    return reference(this.scope, this.s.slice(start, this.i), this.field);
  }
}

/**
 * A payload template: objects keep their keys, `key.$` keys take an expression, everything else is literal. Objects
 * become `asl:obj` calls so that literal data that looks like json-logic (`{"var": …}`) stays data.
 */
export function template(scope: Scope, v: unknown, field: string, depth = 0): Logic {
  if (depth > MAX_DEPTH) refuse(scope.state, `${field} nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((x, i) => template(scope, x, `${field}[${i}]`, depth + 1));
  if (!isObj(v)) return v as Logic;
  const kv: Logic[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (k.endsWith('.$')) kv.push(k.slice(0, -2), reference(scope, x, `${field}.${k}`));
    else kv.push(k, template(scope, x, `${field}.${k}`, depth + 1));
  }
  return { 'asl:obj': kv };
}

/** A literal value (Pass `Result`) as json-logic that evaluates to exactly itself. */
export function literal(scope: Pick<Scope, 'state'>, v: unknown, depth = 0): Logic {
  if (depth > MAX_DEPTH) refuse(scope.state, `Result nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((x) => literal(scope, x, depth + 1));
  if (!isObj(v)) return v as Logic;
  return { 'asl:obj': Object.entries(v).flatMap(([k, x]) => [k, literal(scope, x, depth + 1)]) };
}

/** How deep a payload template or literal may nest (bounds the converter's recursion on hostile documents). */
const MAX_DEPTH = 64;
