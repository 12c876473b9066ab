/**
 * Bounds on what one execution may do (WHIRL_COMPOSITION_* settings, docs/compositions.md "Limits"). Literal values
 * beyond them are refused at deploy (validate.ts); at run time crossing one fails the execution's step with the
 * error name given, so a definition can never make the engine loop, nest or grow without end.
 */
export interface ExecutionLimits {
  /** Highest `maxIterations` / `repeat.times` (a loop fails with `LoopLimitExceeded` past its own bound). */
  maxIterations: number;
  /** Most items a `map` takes (more: `MapLimitExceeded`). */
  maxMapItems: number;
  /** Deepest node nesting in a definition, and longest chain of child executions (`NestingLimitExceeded`). */
  maxNesting: number;
  /** Largest JSON result of one step or task, and largest execution input (bytes; `DataLimitExceeded`). */
  maxResultBytes: number;
  /** Largest execution state — variables and everything in progress (bytes; `DataLimitExceeded`). */
  maxStateBytes: number;
  /**
   * Control-only work items (entering or finishing a step) one transition performs before it yields: the rest runs
   * in the next transition, after the event loop has served everyone else.
   */
  stepsPerTransition: number;
}

/** The defaults (Step Functions' payload limit of 256 KiB for results and state). */
export const DEFAULT_LIMITS: ExecutionLimits = {
  maxIterations: 1_000_000,
  maxMapItems: 100_000,
  maxNesting: 64,
  maxResultBytes: 262_144,
  maxStateBytes: 262_144,
  stepsPerTransition: 1_000,
};

/** UTF-8 length of a value's JSON (undefined counts 0). */
export function jsonBytes(value: unknown): number {
  if (value === undefined) return 0;
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}
