import type { CompositionNode, Logic } from '../../domain/composition.js';
import { checkPath, INPUT, readFrom, type Scope, template } from './expressions.js';
import { type Json, refuse } from './refuse.js';

/**
 * ASL's input/output pipeline on the IR's three hooks. Step Functions runs, per state:
 * `InputPath → Parameters → (work) → ResultSelector → ResultPath (into the raw input) → OutputPath`. The IR gives a
 * node `input` (from what it received), `result` (from `{input: its selected input, result}`) and `output`.
 * ResultPath needs the raw input, so when a state both selects its input and places its result, the work node runs
 * inside a one-branch `parallel` whose own input is the raw one (no extra activation: parallel is engine-side).
 */
const EMPTY: Logic = { 'asl:obj': [] };

/** InputPath applied to `raw`; undefined for the identity. */
export function inputPath(scope: Scope, st: Json, raw: Logic = INPUT): Logic | undefined {
  if (!('InputPath' in st) || st.InputPath === '$') return undefined;
  if (st.InputPath === null) return EMPTY;
  return readFrom(scope, st.InputPath, raw, 'InputPath');
}

/** InputPath then Parameters: the state's effective input; undefined for the identity. */
export function effectiveInput(scope: Scope, st: Json, raw: Logic = INPUT): Logic | undefined {
  const selected = inputPath(scope, st, raw);
  if (st.Parameters === undefined) return selected;
  return template({ ...scope, self: selected ?? raw }, st.Parameters, 'Parameters');
}

/** OutputPath applied to `v`; undefined for the identity. */
export function outputPath(scope: Scope, st: Json, v: Logic = INPUT): Logic | undefined {
  if (!('OutputPath' in st) || st.OutputPath === '$') return undefined;
  if (st.OutputPath === null) return EMPTY;
  return readFrom(scope, st.OutputPath, v, 'OutputPath');
}

/** ResultPath: where the result goes in the raw input (`$` replaces it, null discards the result). */
export function placeResult(scope: Scope, resultPath: unknown, raw: Logic, result: Logic, field = 'ResultPath'): Logic {
  if (resultPath === undefined || resultPath === '$') return result;
  if (resultPath === null) return raw;
  const p = checkPath(scope, resultPath, field);
  if (!p.definite || (resultPath as string).startsWith('$$')) refuse(scope.state, `${field} must be a reference path ($.a.b, names and indexes only)`);
  return { 'asl:place': [raw, resultPath, result] };
}

function resultSelector(scope: Scope, st: Json, result: Logic): Logic {
  return st.ResultSelector === undefined ? result : template({ ...scope, self: result }, st.ResultSelector, 'ResultSelector');
}

/**
 * Wraps `work` (a node whose input is the effective input and whose result is the state's raw result) in the
 * pipeline. `shape` turns the raw result into what ResultSelector sees (e.g. Lambda's `{Payload}` envelope).
 * `ei` is the effective input (default: InputPath then Parameters).
 */
export function withPipeline(
  scope: Scope,
  st: Json,
  work: CompositionNode,
  opts: { ei?: Logic | undefined; eiGiven?: boolean; shape?: (r: Logic) => Logic } = {},
): CompositionNode {
  const ei = opts.eiGiven ? opts.ei : effectiveInput(scope, st);
  const shape = opts.shape ?? ((r: Logic) => r);
  const out = outputPath(scope, st);
  const rp = st.ResultPath;
  const replaces = rp === undefined || rp === '$';
  const finish = (n: CompositionNode, result: Logic | undefined): CompositionNode => ({
    ...n,
    ...(result !== undefined ? { result } : {}),
    ...(out !== undefined ? { output: out } : {}),
  });
  const selected = (r: Logic): Logic | undefined => {
    const shaped = shape(r);
    const sel = resultSelector(scope, st, shaped);
    return sel === r ? undefined : sel;
  };
  if (ei === undefined) {
    const r: Logic = { var: 'result' };
    const placed = placeResult(scope, rp, INPUT, selected(r) ?? r);
    return finish(work, placed === r ? undefined : placed);
  }
  const inner: CompositionNode = { ...work, input: ei };
  if (replaces) return finish(inner, selected({ var: 'result' }));
  const r0: Logic = { var: 'result.0' };
  return finish({ type: 'parallel', branches: [inner] }, placeResult(scope, rp, INPUT, selected(r0) ?? r0));
}
