import type { RetryPolicy, StepError } from '../../domain/composition.js';

/** Errors that are never retried: the execution is going away. */
const NOT_RETRIED = new Set(['Cancelled']);

/** Whether attempt `attempt` (1-based, just failed with `error`) gets another try under `policy`. Pure. */
export function shouldRetry(policy: RetryPolicy, attempt: number, error: StepError): boolean {
  if (attempt >= policy.maxAttempts || NOT_RETRIED.has(error.name)) return false;
  return !policy.errors || policy.errors.includes(error.name) || policy.errors.includes('*');
}

/**
 * Delay before attempt `attempt + 1`: `intervalMs · backoffRate^(attempt-1)`, capped at `maxDelayMs`, then moved by
 * up to ± `jitter` of itself using `rand` ∈ [0, 1) (supplied by the caller so replays and tests are deterministic).
 */
export function retryDelay(policy: RetryPolicy, attempt: number, rand: number): number {
  const base = (policy.intervalMs ?? 1000) * Math.pow(policy.backoffRate ?? 2, attempt - 1);
  const capped = Math.min(base, policy.maxDelayMs ?? Number.POSITIVE_INFINITY);
  const jitter = policy.jitter ?? 0;
  return Math.max(0, Math.round(capped * (1 + jitter * (2 * rand - 1))));
}
