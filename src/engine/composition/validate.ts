import { type CompositionNode, childrenOf } from '../../domain/composition.js';
import { DEFAULT_LIMITS, type ExecutionLimits } from './limits.js';
import { checkLogic } from './logic-check.js';
import { BRANCH_FIELDS, DOCUMENT_FIELDS, HANDLER_FIELDS, NODE_FIELDS, RETRY_FIELDS, unknownFields } from './node-fields.js';

/** One problem found before deploy, at a JSON-pointer path into the document (e.g. `/root/steps/2`). */
export interface ValidationIssue {
  path: string;
  problem: string;
}

const TYPES = new Set(['task', 'sequence', 'choice', 'parallel', 'map', 'while', 'doWhile', 'repeat', 'try', 'wait', 'pass', 'set', 'succeed', 'fail']);
const TERMINAL = new Set(['succeed', 'fail']);

/**
 * Static validation (pure): document shape, loops and retries without bounds, literal bounds beyond the engine's
 * limits, nesting deeper than allowed, json-logic (logic-check.ts), a choice with no default, steps that can never
 * run (after a `succeed`/`fail` in a sequence), and — through `actionExists` — unknown actions.
 */
export function validateDefinition(
  doc: unknown,
  known: { actionExists?: (name: string) => boolean; limits?: Pick<ExecutionLimits, 'maxIterations' | 'maxNesting'> } = {},
): ValidationIssue[] {
  const limits = known.limits ?? DEFAULT_LIMITS;
  const issues: ValidationIssue[] = [];
  const add = (path: string, problem: string): void => {
    issues.push({ path, problem });
  };
  if (!isObj(doc)) return [{ path: '', problem: 'the composition must be a JSON object' }];
  for (const f of unknownFields(doc, DOCUMENT_FIELDS)) add(`/${f}`, `unknown field ${JSON.stringify(f)}`);
  if (doc.whirl !== '1') add('/whirl', 'must be "1"');
  if (doc.vars !== undefined && !isObj(doc.vars)) add('/vars', 'must be an object');
  if (doc.timeoutMs !== undefined && !posInt(doc.timeoutMs)) add('/timeoutMs', 'must be a positive integer');
  if (!isObj(doc.root)) add('/root', 'is required and must be a node');
  else node(doc.root as unknown as CompositionNode, '/root', 1);
  return issues;

  function logic(l: unknown, path: string, condition = false): void {
    if (l === undefined) return;
    for (const i of checkLogic(l, { condition })) add(`${path}${i.path}`, i.problem);
  }

  function bound(v: unknown, path: string): void {
    if (typeof v === 'number' && v > limits.maxIterations) add(path, `more than the limit of ${limits.maxIterations} iterations`);
  }

  function node(n: CompositionNode, path: string, depth: number): void {
    if (!isObj(n) || typeof n.type !== 'string' || !TYPES.has(n.type)) {
      return add(path, `unknown node type ${JSON.stringify((n as { type?: unknown })?.type)}`);
    }
    if (depth > limits.maxNesting) return add(path, `nodes nested deeper than the limit of ${limits.maxNesting}`);
    for (const f of unknownFields(n, NODE_FIELDS[n.type])) add(`${path}/${f}`, `unknown field ${JSON.stringify(f)} for a ${n.type}`);
    if (isObj(n.retry)) for (const f of unknownFields(n.retry, RETRY_FIELDS)) add(`${path}/retry/${f}`, `unknown field ${JSON.stringify(f)}`);
    logic(n.input, `${path}/input`);
    logic(n.result, `${path}/result`);
    logic(n.output, `${path}/output`);
    if (n.timeoutMs !== undefined && !posInt(n.timeoutMs)) add(`${path}/timeoutMs`, 'must be a positive integer');
    if (n.retry !== undefined) {
      if (!isObj(n.retry) || !posInt(n.retry.maxAttempts)) add(`${path}/retry`, 'retry needs a maxAttempts limit (≥ 1)');
      else if (n.retry.jitter !== undefined && (n.retry.jitter < 0 || n.retry.jitter > 1)) add(`${path}/retry/jitter`, 'must be within 0..1');
    }
    switch (n.type) {
      case 'task':
        if ([n.action, n.composition, n.actionFrom].filter((t) => t !== undefined).length !== 1) {
          add(path, 'a task names exactly one of action, composition or actionFrom');
        } else if (n.action !== undefined && typeof n.action !== 'string') add(`${path}/action`, 'must be a string');
        else if (n.action !== undefined && known.actionExists && !known.actionExists(n.action)) add(`${path}/action`, `unknown action ${n.action}`);
        break;
      case 'sequence':
        if (!Array.isArray(n.steps)) return add(`${path}/steps`, 'must be an array');
        n.steps.forEach((s, i) => {
          if (i > 0 && isObj(n.steps[i - 1]) && TERMINAL.has(n.steps[i - 1]!.type)) add(`${path}/steps/${i}`, 'unreachable: follows a succeed/fail step');
          void s;
        });
        break;
      case 'choice':
        if (!Array.isArray(n.branches) || n.branches.length === 0) return add(`${path}/branches`, 'a choice needs at least one branch');
        n.branches.forEach((b, i) => {
          if (!isObj(b) || b.when === undefined || !isObj(b.do)) add(`${path}/branches/${i}`, 'a branch needs when and do');
          else {
            for (const f of unknownFields(b, BRANCH_FIELDS)) add(`${path}/branches/${i}/${f}`, `unknown field ${JSON.stringify(f)}`);
            logic(b.when, `${path}/branches/${i}/when`, true);
          }
        });
        if (n.otherwise === undefined) add(path, 'a choice needs a default (otherwise)');
        break;
      case 'parallel':
        if (!Array.isArray(n.branches)) return add(`${path}/branches`, 'must be an array');
        break;
      case 'map':
        if (!isObj(n.do)) return add(`${path}/do`, 'is required');
        if (n.concurrency !== undefined && !posInt(n.concurrency)) add(`${path}/concurrency`, 'must be a positive integer');
        logic(n.items, `${path}/items`);
        break;
      case 'while':
      case 'doWhile':
        if (!posInt(n.maxIterations)) add(path, 'a loop needs a maxIterations bound');
        else bound(n.maxIterations, `${path}/maxIterations`);
        if (n.condition === undefined) add(`${path}/condition`, 'is required');
        else logic(n.condition, `${path}/condition`, true);
        if (!isObj(n.do)) return add(`${path}/do`, 'is required');
        break;
      case 'repeat':
        if (!Number.isInteger(n.times) || n.times < 0) add(`${path}/times`, 'must be a non-negative integer');
        else bound(n.times, `${path}/times`);
        if (!isObj(n.do)) return add(`${path}/do`, 'is required');
        break;
      case 'try':
        if (!isObj(n.do)) return add(`${path}/do`, 'is required');
        if (n.catch !== undefined && !Array.isArray(n.catch)) return add(`${path}/catch`, 'must be an array');
        (n.catch ?? []).forEach((c, i) => {
          if (!isObj(c) || !isObj(c.do)) add(`${path}/catch/${i}`, 'a handler needs do');
          else for (const f of unknownFields(c, HANDLER_FIELDS)) add(`${path}/catch/${i}/${f}`, `unknown field ${JSON.stringify(f)}`);
        });
        if (!n.catch && !n.finally) add(path, 'a try needs catch or finally');
        break;
      case 'wait':
        if ((n.ms === undefined) === (n.until === undefined)) add(path, 'a wait needs exactly one of ms or until');
        else if (n.ms !== undefined && !(Number.isInteger(n.ms) && n.ms >= 0)) add(`${path}/ms`, 'must be a non-negative integer');
        logic(n.until, `${path}/until`);
        break;
      case 'set':
        if (!isObj(n.vars)) add(`${path}/vars`, 'must be an object');
        else for (const [k, l] of Object.entries(n.vars)) logic(l, `${path}/vars/${k}`);
        break;
      case 'pass':
      case 'succeed':
        logic(n.value, `${path}/value`);
        break;
      case 'fail':
        if (typeof n.error !== 'string' || n.error === '') add(`${path}/error`, 'a fail needs an error name');
        logic(n.cause, `${path}/cause`);
        break;
      default:
        break;
    }
    for (const c of childrenOf(n)) if (isObj(c.node)) node(c.node, `${path}/${c.segment}`, depth + 1);
    else add(`${path}/${c.segment}`, 'must be a node');
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the document is untrusted JSON, inspected field by field
function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function posInt(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) > 0;
}

/** The actions a definition names (to check they exist before deploy); nodes nested deeper than `maxDepth` are not read. */
export function actionsOf(n: CompositionNode, maxDepth = DEFAULT_LIMITS.maxNesting): string[] {
  if (maxDepth <= 0) return [];
  const own = n.type === 'task' && typeof n.action === 'string' ? [n.action] : [];
  return [...own, ...childrenOf(n).flatMap((c) => (isObj(c.node) ? actionsOf(c.node, maxDepth - 1) : []))];
}
