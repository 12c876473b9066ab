import type { CompositionNode, RetryPolicy } from '../../domain/composition.js';
import { isObj, refuse } from './refuse.js';

/**
 * ASL error names and retriers in the IR's terms. Whirl's error names: an action's own `error.name`, or
 * `ApplicationError`/`DeveloperError`/`WhiskError`/`ActionTimeout`; the engine's `Timeout` and `TransformError`.
 */
const MAPPED: Record<string, string[]> = {
  'States.Timeout': ['Timeout', 'ActionTimeout'],
  'States.HeartbeatTimeout': ['Timeout'],
  'States.ResultPathMatchFailure': ['TransformError'],
  'States.ParameterPathFailure': ['TransformError'],
  'States.IntrinsicFailure': ['TransformError'],
  'States.Runtime': ['TransformError', 'InvalidInput'],
};

/** The IR `errors` list for an ErrorEquals; undefined = every error (States.ALL, States.TaskFailed). */
export function errorNames(state: string, equals: unknown, where: string): string[] | undefined {
  if (!Array.isArray(equals) || equals.length === 0 || !equals.every((e) => typeof e === 'string')) {
    refuse(state, `${where}.ErrorEquals must be a non-empty array of error names`);
  }
  const names = equals as string[];
  if (names.includes('States.ALL')) {
    if (names.length > 1) refuse(state, `${where}: States.ALL must appear alone in ErrorEquals`);
    return undefined;
  }
  // States.TaskFailed is "any failure but a timeout"; the IR cannot subtract, so it matches every error.
  if (names.includes('States.TaskFailed')) return undefined;
  return [...new Set(names.flatMap((n) => (Object.prototype.hasOwnProperty.call(MAPPED, n) ? MAPPED[n]! : [n])))];
}

function seconds(state: string, v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 99_999_999) refuse(state, `${field} must be a number from 0 to 99999999`);
  return v;
}

/** A retrier as an IR policy; undefined when it never retries (MaxAttempts 0). */
export function retryPolicy(state: string, r: unknown, where: string): RetryPolicy | undefined {
  if (!isObj(r)) refuse(state, `${where} must be an object`);
  const max = r.MaxAttempts ?? 3;
  if (!Number.isInteger(max) || max < 0 || max > 99_999_999) refuse(state, `${where}.MaxAttempts must be a non-negative integer`);
  const errors = errorNames(state, r.ErrorEquals, where);
  if (max === 0) return undefined;
  const interval = seconds(state, r.IntervalSeconds, `${where}.IntervalSeconds`, 1);
  const rate = seconds(state, r.BackoffRate, `${where}.BackoffRate`, 2);
  if (rate < 1) refuse(state, `${where}.BackoffRate must be at least 1.0`);
  const policy: RetryPolicy = {
    // Step Functions' MaxAttempts counts retries; the IR counts every attempt, the first included.
    maxAttempts: max + 1,
    intervalMs: Math.round(interval * 1000),
    backoffRate: rate,
  };
  if (r.MaxDelaySeconds !== undefined) policy.maxDelayMs = Math.round(seconds(state, r.MaxDelaySeconds, `${where}.MaxDelaySeconds`, 0) * 1000);
  if (r.JitterStrategy === 'FULL') policy.jitter = 1;
  else if (r.JitterStrategy !== undefined && r.JitterStrategy !== 'NONE') refuse(state, `${where}.JitterStrategy must be FULL or NONE`);
  if (errors) policy.errors = errors;
  return policy;
}

/**
 * Retriers in order: the first on the node itself, each next one on a sequence around it, so an error the first
 * retrier does not name reaches the next. (Each retrier keeps its own count per pass of the ones inside it.)
 */
export function withRetries(state: string, node: CompositionNode, retry: unknown): CompositionNode {
  if (retry === undefined) return node;
  if (!Array.isArray(retry)) refuse(state, 'Retry must be an array of retriers');
  let out = node;
  retry.forEach((r, i) => {
    const policy = retryPolicy(state, r, `Retry[${i}]`);
    if (!policy) return;
    out = out.retry === undefined ? { ...out, retry: policy } : { type: 'sequence', steps: [out], retry: policy };
  });
  return out;
}
