import type { CompositionNode, Logic } from '../../domain/composition.js';
import { INPUT, literal, readFrom, reference, type Scope, template } from './expressions.js';
import { withRetries } from './errors-map.js';
import { effectiveInput, inputPath, outputPath, placeResult, withPipeline } from './pipeline.js';
import { isObj, type Json, refuse } from './refuse.js';

/**
 * One ASL state (not its transitions) as an IR node: Task, Pass, Wait, Succeed, Fail, Parallel, Map, with their
 * input/output pipeline and retriers. Catch and Next are the graph's business (graph.ts).
 */
export interface StateContext {
  scope(state: string): Scope;
  /** Converts a nested state machine (a Parallel branch, a Map ItemProcessor). */
  machine(def: unknown, state: string, where: string): CompositionNode;
}

/** Inline Map's concurrency when MaxConcurrency is 0 (unlimited): Step Functions runs up to 40 inline iterations. */
export const MAP_UNLIMITED_CONCURRENCY = 40;
/** The longest wait or timeout: Step Functions' one-year execution limit. */
export const MAX_SECONDS = 31_536_000;

export function stateNode(cx: StateContext, name: string, st: Json): CompositionNode {
  const node = build(cx, name, st);
  return { ...node, id: node.id ?? name };
}

function build(cx: StateContext, name: string, st: Json): CompositionNode {
  const scope = cx.scope(name);
  switch (st.Type) {
    case 'Task':
      return task(scope, name, st);
    case 'Pass':
      return pass(scope, st);
    case 'Wait':
      return wait(scope, st);
    case 'Succeed':
      return withIO(scope, st, { type: 'pass' });
    case 'Fail':
      return fail(scope, st);
    case 'Parallel': {
      if (!Array.isArray(st.Branches) || st.Branches.length === 0) refuse(name, 'Branches must be a non-empty array');
      const branches = st.Branches.map((b: unknown, i: number) => cx.machine(b, name, `Branches[${i}]`));
      return withPipeline(scope, st, withRetries(name, { type: 'parallel', branches }, st.Retry));
    }
    case 'Map':
      return map(cx, scope, name, st);
    default:
      return refuse(name, `unknown state type ${JSON.stringify(st.Type)}`);
  }
}

/** InputPath and OutputPath only (Wait, Succeed): the node's input/output hooks. */
function withIO(scope: Scope, st: Json, node: CompositionNode): CompositionNode {
  const input = inputPath(scope, st);
  const output = outputPath(scope, st);
  return { ...node, ...(input !== undefined ? { input } : {}), ...(output !== undefined ? { output } : {}) };
}

const LAMBDA_FUNCTION = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/;
const ACTIVITY = /^arn:aws[\w-]*:states:[^:]*:[^:]*:activity:([^:]+)$/;
const LAMBDA_INVOKE = /^arn:aws[\w-]*:states:::lambda:invoke$/;

function functionName(name: string, v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') refuse(name, `${field} must name the action (a fixed string)`);
  const m = LAMBDA_FUNCTION.exec(v);
  return m ? m[1]! : v;
}

function task(scope: Scope, name: string, st: Json): CompositionNode {
  const r = st.Resource;
  if (typeof r !== 'string' || r === '') refuse(name, 'Resource must name an action');
  for (const f of ['TimeoutSecondsPath', 'HeartbeatSecondsPath', 'Credentials']) {
    if (f in st) refuse(name, `${f} is not supported: tasks take a fixed TimeoutSeconds`);
  }
  const timeout = st.TimeoutSeconds;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0 && timeout <= MAX_SECONDS)) refuse(name, `TimeoutSeconds must be an integer from 1 to ${MAX_SECONDS}`);
  const base = (action: string): CompositionNode => ({ type: 'task', action, ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}) });
  if (LAMBDA_INVOKE.test(r)) {
    // The Lambda integration: FunctionName is the action, Payload its input, and the result comes back wrapped.
    const params: unknown = st.Parameters;
    if (!isObj(params)) refuse(name, 'a lambda:invoke task needs Parameters with FunctionName');
    const selected = inputPath(scope, st);
    const pscope = { ...scope, self: selected ?? INPUT };
    const ei =
      'Payload.$' in params ? reference(pscope, params['Payload.$'], 'Parameters.Payload.$')
      : 'Payload' in params ? template(pscope, params.Payload, 'Parameters.Payload')
      : selected;
    const shape = (res: Logic): Logic => ({ 'asl:obj': ['ExecutedVersion', '$LATEST', 'Payload', res, 'StatusCode', 200] });
    const work = withRetries(name, base(functionName(name, params.FunctionName, 'Parameters.FunctionName')), st.Retry);
    return withPipeline(scope, st, work, { ei, eiGiven: true, shape });
  }
  let action = r;
  if (r.startsWith('arn:')) {
    const m = LAMBDA_FUNCTION.exec(r) ?? ACTIVITY.exec(r);
    if (!m) {
      refuse(
        name,
        `Resource ${r} is an AWS service integration; a Whirl task runs a Whirl action: name the action ("Resource": "my-action") or a Lambda function or activity ARN whose name is an action`,
      );
    }
    action = m[1]!;
  }
  return withPipeline(scope, st, withRetries(name, base(action), st.Retry));
}

function pass(scope: Scope, st: Json): CompositionNode {
  const result = st.Result !== undefined ? literal(scope, st.Result) : effectiveInput(scope, st) ?? INPUT;
  const placed = placeResult(scope, st.ResultPath, INPUT, result);
  const value = outputPath(scope, st, placed) ?? placed;
  return value === INPUT ? { type: 'pass' } : { type: 'pass', value };
}

function wait(scope: Scope, st: Json): CompositionNode {
  const given = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter((f) => f in st);
  if (given.length !== 1) refuse(scope.state, 'a Wait needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath');
  if (st.Seconds !== undefined) {
    if (!(Number.isInteger(st.Seconds) && st.Seconds >= 0 && st.Seconds <= MAX_SECONDS)) refuse(scope.state, `Seconds must be an integer from 0 to ${MAX_SECONDS}`);
    return withIO(scope, st, { type: 'wait', ms: st.Seconds * 1000 });
  }
  if (st.Timestamp !== undefined) {
    if (typeof st.Timestamp !== 'string' || !Number.isFinite(Date.parse(st.Timestamp))) refuse(scope.state, 'Timestamp must be an ISO 8601 time');
    return withIO(scope, st, { type: 'wait', until: st.Timestamp });
  }
  if (st.TimestampPath !== undefined) {
    return withIO(scope, st, { type: 'wait', until: readFrom(scope, st.TimestampPath, INPUT, 'TimestampPath') });
  }
  // `until` sees `now` (the step's time, epoch ms), so a relative wait stays deterministic on replay.
  const ms: Logic = { 'asl:ms': [readFrom(scope, st.SecondsPath, INPUT, 'SecondsPath')] };
  return withIO(scope, st, { type: 'wait', until: { '+': [{ var: 'now' }, ms] } });
}

function fail(scope: Scope, st: Json): CompositionNode {
  if ('ErrorPath' in st) refuse(scope.state, 'ErrorPath is not supported: a Fail state names a fixed Error');
  const error = st.Error ?? 'States.Fail';
  if (typeof error !== 'string' || error === '') refuse(scope.state, 'Error must be a string');
  const cause: Logic | undefined =
    st.CausePath !== undefined ? reference(scope, st.CausePath, 'CausePath') : typeof st.Cause === 'string' ? st.Cause : undefined;
  return { type: 'fail', error, ...(cause !== undefined ? { cause } : {}) };
}

function map(cx: StateContext, scope: Scope, name: string, st: Json): CompositionNode {
  for (const f of ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailureCount', 'ToleratedFailurePercentagePath', 'ToleratedFailureCountPath', 'MaxConcurrencyPath']) {
    if (f in st) refuse(name, `${f} is a Distributed Map feature; Whirl runs inline Map states`);
  }
  const processor: unknown = st.ItemProcessor ?? st.Iterator;
  if (!isObj(processor)) refuse(name, 'a Map needs an ItemProcessor');
  if (isObj(processor.ProcessorConfig) && processor.ProcessorConfig.Mode === 'DISTRIBUTED') {
    refuse(name, 'ProcessorConfig.Mode DISTRIBUTED is not supported; Whirl runs inline Map states');
  }
  const max = st.MaxConcurrency ?? 0;
  if (!Number.isInteger(max) || max < 0 || max > 10_000) refuse(name, 'MaxConcurrency must be an integer from 0 to 10000');
  const list = st.ItemsPath === undefined || st.ItemsPath === '$' ? undefined : readFrom(scope, st.ItemsPath, INPUT, 'ItemsPath');
  const selector: unknown = st.ItemSelector ?? st.Parameters;
  const body = cx.machine(processor, name, 'ItemProcessor');
  let node: CompositionNode;
  if (selector === undefined) node = { type: 'map', ...(list !== undefined ? { items: list } : {}), do: body };
  else {
    // Each iteration receives {v: item, i: index, in: [what the selector reads from the Map's input]} and builds its
    // input with the ItemSelector.
    const field = st.ItemSelector !== undefined ? 'ItemSelector' : 'Parameters';
    const reads: Logic[] = [];
    const capture = (path: string): Logic => {
      reads.push(readFrom(scope, path, INPUT, field));
      return { var: `input.in.${reads.length - 1}` };
    };
    const item = { value: { var: 'input.v' }, index: { var: 'input.i' } };
    const value = template({ ...scope, capture, item }, selector, field);
    node = { type: 'map', items: { 'asl:items': [list ?? INPUT, reads] }, do: { type: 'sequence', steps: [{ type: 'pass', value }, body] } };
  }
  node.concurrency = max === 0 ? MAP_UNLIMITED_CONCURRENCY : max;
  // A Map's Parameters is its ItemSelector (legacy name), so its effective input is InputPath alone.
  return withPipeline(scope, st, withRetries(name, node, st.Retry), { ei: inputPath(scope, st), eiGiven: true });
}
