/**
 * The TypeScript DSL: typed builders that produce the composition IR (src/domain/composition.ts), the same document
 * YAML and JSON files hold. A `.ts` file whose default export is `composition(...)` deploys like a YAML file.
 *
 *   export default composition(
 *     sequence(task('validate'), retry(task('charge'), { maxAttempts: 3 }), choice([when(gt(v('input.total'), 100), task('review'))], pass())),
 *   );
 */
import type {
  ChoiceNode,
  CompositionDefinition,
  CompositionNode,
  FailNode,
  Logic,
  MapNode,
  NodeCommon,
  ParallelNode,
  PassNode,
  RepeatNode,
  RetryPolicy,
  SequenceNode,
  SetNode,
  SucceedNode,
  TaskNode,
  TryNode,
  WaitNode,
  WhileNode,
} from '../domain/composition.js';

/** Options every node takes: input/result/output selection (json-logic), timeout, retry, id. */
export type Options = Omit<NodeCommon, never>;

export function composition(root: CompositionNode, opts: { vars?: Record<string, unknown>; timeoutMs?: number } = {}): CompositionDefinition {
  return { whirl: '1', ...opts, root };
}

export const task = (action: string, opts: Options = {}): TaskNode => ({ type: 'task', action, ...opts });
/** A task that runs another composition (a child execution). */
export const subcomposition = (name: string, opts: Options = {}): TaskNode => ({ type: 'task', composition: name, ...opts });
export const sequence = (...steps: CompositionNode[]): SequenceNode => ({ type: 'sequence', steps });
export const when = (condition: Logic, node: CompositionNode) => ({ when: condition, do: node });
export const choice = (branches: Array<{ when: Logic; do: CompositionNode }>, otherwise: CompositionNode, opts: Options = {}): ChoiceNode => ({
  type: 'choice',
  branches,
  otherwise,
  ...opts,
});
/** `if (condition) then else otherwise`. */
export const ifThen = (condition: Logic, then: CompositionNode, otherwise: CompositionNode): ChoiceNode =>
  choice([when(condition, then)], otherwise);
export const parallel = (...branches: CompositionNode[]): ParallelNode => ({ type: 'parallel', branches });
export const map = (node: CompositionNode, opts: { items?: Logic; concurrency?: number } & Options = {}): MapNode => ({
  type: 'map',
  ...opts,
  do: node,
});
export const whileLoop = (condition: Logic, node: CompositionNode, maxIterations: number): WhileNode => ({
  type: 'while',
  condition,
  do: node,
  maxIterations,
});
export const doWhile = (node: CompositionNode, condition: Logic, maxIterations: number): WhileNode => ({
  type: 'doWhile',
  condition,
  do: node,
  maxIterations,
});
export const repeat = (times: number, node: CompositionNode): RepeatNode => ({ type: 'repeat', times, do: node });
export const catchError = (errors: string[] | '*', node: CompositionNode) =>
  errors === '*' ? { do: node } : { errors, do: node };
export const tryCatch = (
  node: CompositionNode,
  handlers: Array<{ errors?: string[]; do: CompositionNode }>,
  finallyNode?: CompositionNode,
): TryNode => ({ type: 'try', do: node, catch: handlers, ...(finallyNode ? { finally: finallyNode } : {}) });
export const tryFinally = (node: CompositionNode, finallyNode: CompositionNode): TryNode => ({ type: 'try', do: node, finally: finallyNode });
/** The node, retried under `policy` (maxAttempts is required: retries are always bounded). */
export const retry = <N extends CompositionNode>(node: N, policy: RetryPolicy): N => ({ ...node, retry: policy });
export const timeout = <N extends CompositionNode>(node: N, ms: number): N => ({ ...node, timeoutMs: ms });
export const wait = (ms: number): WaitNode => ({ type: 'wait', ms });
export const waitUntil = (until: Logic): WaitNode => ({ type: 'wait', until });
export const pass = (value?: Logic): PassNode => (value === undefined ? { type: 'pass' } : { type: 'pass', value });
export const set = (vars: Record<string, Logic>): SetNode => ({ type: 'set', vars });
export const succeed = (value?: Logic): SucceedNode => (value === undefined ? { type: 'succeed' } : { type: 'succeed', value });
export const fail = (error: string, cause?: Logic): FailNode => (cause === undefined ? { type: 'fail', error } : { type: 'fail', error, cause });

/** json-logic helpers. `v('input.x')` reads the node's input; `v('vars.total')` a variable; `v('result')` a result. */
export const v = (path: string): Logic => ({ var: path });
export const eq = (a: Logic, b: Logic): Logic => ({ '==': [a, b] });
export const gt = (a: Logic, b: Logic): Logic => ({ '>': [a, b] });
export const lt = (a: Logic, b: Logic): Logic => ({ '<': [a, b] });
export const and = (...xs: Logic[]): Logic => ({ and: xs });
export const or = (...xs: Logic[]): Logic => ({ or: xs });
export const not = (x: Logic): Logic => ({ '!': [x] });
