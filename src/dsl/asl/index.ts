import type { CompositionDefinition, CompositionNode } from '../../domain/composition.js';
import { EXECUTION_INPUT_VAR } from './expressions.js';
import { Converter } from './graph.js';
import { isObj, MACHINE, refuse } from './refuse.js';
import { MAX_SECONDS } from './states.js';

export { AslRefusal } from './refuse.js';

/**
 * Amazon States Language → the composition IR (pure). Converts Task (Resource = an action), Pass, Choice, Wait,
 * Succeed, Fail, Parallel, inline Map, Retry, Catch and the JSONPath input/output pipeline with intrinsic functions;
 * refuses anything else with `WHIRL_ASL_UNSUPPORTED` naming the state and why. See docs/asl.md.
 *
 * `name` is the composition's name (`$$.StateMachine.Name`).
 */
export function importAsl(doc: unknown, opts: { name?: string } = {}): CompositionDefinition {
  if (!isObj(doc)) refuse(MACHINE, 'the definition must be a JSON object with StartAt and States');
  const timeout = doc.TimeoutSeconds;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0 && timeout <= MAX_SECONDS)) {
    refuse(MACHINE, `TimeoutSeconds must be an integer from 1 to ${MAX_SECONDS}`);
  }
  const cv = new Converter(opts.name ?? '');
  let root: CompositionNode = cv.machine(doc, MACHINE, 'root');
  if (cv.executionInputUsed) {
    const remember: CompositionNode = { type: 'set', vars: { [EXECUTION_INPUT_VAR]: { var: 'input' } } };
    root = root.type === 'sequence' && root.id === undefined ? { ...root, steps: [remember, ...root.steps] } : { type: 'sequence', steps: [remember, root] };
  }
  return { whirl: '1', ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}), root };
}

/** Whether a document looks like ASL rather than the IR (for loaders that accept either). */
export function looksLikeAsl(doc: unknown): boolean {
  return isObj(doc) && typeof doc.StartAt === 'string' && isObj(doc.States);
}
