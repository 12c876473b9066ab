/** Per-action limits, OpenWhisk's `ActionLimits` (timeout ms, memory MB, logs MB, intra-container concurrency). */
export interface ActionLimits {
  timeout: number;
  memory: number;
  logs: number;
  concurrency: number;
}

export interface Range {
  min: number;
  max: number;
  default: number;
}

/** The platform's bounds on action limits and payload sizes. Defaults are set once, in config/schema.ts. */
export interface SystemLimits {
  timeout: Range;
  memory: Range;
  logs: Range;
  concurrency: Range;
  /** Bytes: request body + bound parameters (OpenWhisk `activation.payload.max`). */
  maxPayloadBytes: number;
  /** Bytes: an action's result beyond this becomes an application error with the truncated text. */
  maxResultBytes: number;
  /** Bytes: `exec.code` (OpenWhisk `exec-size-limit`). */
  maxCodeBytes: number;
  /** Bytes of parameters stored on one entity. */
  maxParameterBytes: number;
  /** Blocking invokes wait at most this long (ms) before answering 202. */
  maxBlockingWaitMs: number;
  /** Inlined atomic components of one sequence. */
  sequenceMaxLength: number;
}

export type LimitName = 'timeout' | 'memory' | 'logs' | 'concurrency';

export function defaultLimits(system: SystemLimits): ActionLimits {
  return {
    timeout: system.timeout.default,
    memory: system.memory.default,
    logs: system.logs.default,
    concurrency: system.concurrency.default,
  };
}

/** Returns the first violated limit, or undefined when every value is inside its range. */
export function checkLimits(
  limits: ActionLimits,
  system: SystemLimits,
): { name: LimitName; value: number; range: Range } | undefined {
  for (const name of ['timeout', 'memory', 'logs', 'concurrency'] as const) {
    const value = limits[name];
    const range = system[name];
    if (!Number.isInteger(value) || value < range.min || value > range.max) return { name, value, range };
  }
  return undefined;
}
