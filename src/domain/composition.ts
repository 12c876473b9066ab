/**
 * The composition IR: one JSON document (published as `schemas/composition.schema.json`) that YAML, JSON and the
 * TypeScript DSL all produce, and that the engine runs. A composition is a tree of nodes; every node may select its
 * input, place its result and shape its output with json-logic (the roles of ASL's InputPath / ResultPath /
 * OutputPath), carry a retry policy and a timeout.
 *
 * json-logic expressions see `{input, vars}` (and `result` in `result`): `{"var": "input.order.id"}`.
 */
export type Logic = unknown;

export interface NodeCommon {
  /** A label for histories and error paths; optional. */
  id?: string;
  /** Selects the node's input from `{input, vars}`. Default: the input as received. */
  input?: Logic;
  /** Places the node's result, from `{input, result, vars}` (input = what the node received). Default: `result`. */
  result?: Logic;
  /** Shapes the output from `{input: placed result, vars}`. Default: the placed result. */
  output?: Logic;
  /** Fails the node with error `Timeout` if it has not finished in this many ms (each attempt). */
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/** Retries a failed node: delay_n = min(intervalMs · backoffRate^(n-1), maxDelayMs), ± jitter (0..1) of it. */
export interface RetryPolicy {
  /** Total attempts, including the first (required: retries are always bounded). */
  maxAttempts: number;
  intervalMs?: number;
  backoffRate?: number;
  maxDelayMs?: number;
  jitter?: number;
  /** Error names that are retried; default every error except `Cancelled`. */
  errors?: string[];
}

export interface TaskNode extends NodeCommon {
  type: 'task';
  /** An action (`name`, `pkg/name`, `/ns/name`). Exactly one of action / composition. */
  action?: string;
  /** Another composition of the same namespace, run as a child execution. */
  composition?: string;
  /**
   * The action named by the data: json-logic over `{input, vars}` giving an action name, resolved when the task
   * runs, in the execution's namespace with the usual visibility (OpenWhisk conductor components). Exactly one of
   * action / composition / actionFrom.
   */
  actionFrom?: Logic;
}
export interface SequenceNode extends NodeCommon {
  type: 'sequence';
  steps: CompositionNode[];
}
export interface ChoiceNode extends NodeCommon {
  type: 'choice';
  branches: Array<{ when: Logic; do: CompositionNode }>;
  otherwise?: CompositionNode;
}
export interface ParallelNode extends NodeCommon {
  type: 'parallel';
  branches: CompositionNode[];
}
export interface MapNode extends NodeCommon {
  type: 'map';
  /** json-logic giving the array (default: the input, which must be an array). */
  items?: Logic;
  /** Iterations running at once (default 10). */
  concurrency?: number;
  do: CompositionNode;
}
export interface WhileNode extends NodeCommon {
  type: 'while' | 'doWhile';
  condition: Logic;
  do: CompositionNode;
  /** Required bound: more iterations fail with `LoopLimitExceeded`. */
  maxIterations: number;
}
export interface RepeatNode extends NodeCommon {
  type: 'repeat';
  times: number;
  do: CompositionNode;
}
export interface TryNode extends NodeCommon {
  type: 'try';
  do: CompositionNode;
  /** First matching handler runs with `{error: {name, cause}, input}`; no `errors` matches every error. */
  catch?: Array<{ errors?: string[]; do: CompositionNode }>;
  finally?: CompositionNode;
}
export interface WaitNode extends NodeCommon {
  type: 'wait';
  /**
   * Exactly one of: a duration, or an absolute time (ISO string or json-logic giving one / epoch ms). `until`
   * expressions also see `now` (the step's time, epoch ms): `{"+": [{"var": "now"}, 5000]}` waits five seconds.
   */
  ms?: number;
  until?: Logic;
}
export interface PassNode extends NodeCommon {
  type: 'pass';
  /** json-logic transform; default: the input unchanged. */
  value?: Logic;
}
export interface SetNode extends NodeCommon {
  type: 'set';
  /** Variables assigned from json-logic over `{input, vars}`; the input passes through. */
  vars: Record<string, Logic>;
}
export interface SucceedNode extends NodeCommon {
  type: 'succeed';
  /** Ends the whole execution successfully with this value (json-logic; default the input). */
  value?: Logic;
}
export interface FailNode extends NodeCommon {
  type: 'fail';
  error: string;
  cause?: Logic;
}

export type CompositionNode =
  | TaskNode
  | SequenceNode
  | ChoiceNode
  | ParallelNode
  | MapNode
  | WhileNode
  | RepeatNode
  | TryNode
  | WaitNode
  | PassNode
  | SetNode
  | SucceedNode
  | FailNode;

export type NodeType = CompositionNode['type'];

/** The document: what YAML/JSON files and the DSL produce, and what `PUT …/compositions/{name}` stores. */
export interface CompositionDefinition {
  /** The IR version this document follows. */
  whirl: '1';
  /** Initial variables. */
  vars?: Record<string, unknown>;
  /** Fails the whole execution with `Timeout` after this many ms. */
  timeoutMs?: number;
  root: CompositionNode;
}

/** A stored composition entity (collection `compositions`). */
export interface Composition {
  namespace: string;
  name: string;
  version: string;
  definition: CompositionDefinition;
  annotations: Array<{ key: string; value: unknown }>;
  updated: number;
}

/** A failure as compositions see it: a name to match in `catch`/`retry`, and a cause. */
export interface StepError {
  name: string;
  cause?: unknown;
  /** For a failed activation: its status code, so a sequence's record keeps it (OpenWhisk §4.1). */
  statusCode?: number;
}

export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export function isTerminal(s: ExecutionStatus): boolean {
  return s !== 'running';
}

/** Child nodes with their path segment, for validation and path resolution. */
export function childrenOf(node: CompositionNode): Array<{ segment: string; node: CompositionNode }> {
  switch (node.type) {
    case 'sequence':
      return node.steps.map((n, i) => ({ segment: `steps/${i}`, node: n }));
    case 'choice':
      return [
        ...node.branches.map((b, i) => ({ segment: `branches/${i}/do`, node: b.do })),
        ...(node.otherwise ? [{ segment: 'otherwise', node: node.otherwise }] : []),
      ];
    case 'parallel':
      return node.branches.map((n, i) => ({ segment: `branches/${i}`, node: n }));
    case 'map':
    case 'while':
    case 'doWhile':
    case 'repeat':
      return [{ segment: 'do', node: node.do }];
    case 'try':
      return [
        { segment: 'do', node: node.do },
        ...(node.catch ?? []).map((c, i) => ({ segment: `catch/${i}/do`, node: c.do })),
        ...(node.finally ? [{ segment: 'finally', node: node.finally }] : []),
      ];
    default:
      return [];
  }
}

/** The node at a path like `/root/steps/2/do` (paths are JSON pointers into the definition). */
export function nodeAt(def: CompositionDefinition, path: string): CompositionNode | undefined {
  let cur: unknown = def;
  for (const seg of path.split('/').slice(1)) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur as CompositionNode | undefined;
}
