/** Container pool numbers as metrics show them. */
export interface PoolStates {
  warm: number;
  paused: number;
  prewarmed: number;
  busy: number;
  memoryMB?: number;
  waiting?: number;
}

/**
 * Reads the invoker pool's `stats()` defensively: the pool's shape grows (pausing, prewarming) independently of
 * metrics, so every field is optional and non-numbers are ignored. `warm` (idle, initialised, running) is taken as
 * given, else derived as `containers - busy - paused - prewarmed` (never below 0). Undefined when `stats` is not an
 * object (no pool in this process, or the read failed).
 */
export function poolStates(stats: unknown): PoolStates | undefined {
  if (typeof stats !== 'object' || stats === null) return undefined;
  const s = stats as Record<string, unknown>;
  const num = (k: string): number | undefined => {
    const v = s[k];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const busy = num('busy') ?? 0;
  const paused = num('paused') ?? 0;
  const prewarmed = num('prewarmed') ?? 0;
  const containers = num('containers');
  const warm = num('warm') ?? (containers === undefined ? 0 : Math.max(0, containers - busy - paused - prewarmed));
  const out: PoolStates = { warm, paused, prewarmed, busy };
  const memoryMB = num('memoryMB');
  const waiting = num('waiting');
  if (memoryMB !== undefined) out.memoryMB = memoryMB;
  if (waiting !== undefined) out.waiting = waiting;
  return out;
}
