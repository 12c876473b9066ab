import type { Container } from '../ports/container-factory.js';

/**
 * One container in the invoker's pool. A container serves exactly one (invocation namespace, action revision)
 * key for its whole life: containers are never shared across namespaces or actions.
 */
export interface PoolEntry {
  readonly seq: number;
  readonly key: string;
  readonly memoryMB: number;
  readonly maxConcurrency: number;
  container: Container | undefined;
  initialized: boolean;
  inFlight: number;
  lastUsed: number;
  /** Log collections of this container's activations, chained so each takes its own lines in run order. */
  logChain: Promise<void>;
  removing: boolean;
}

/** Warm containers are keyed by who invokes and what exactly runs. */
export function poolKey(invocationNamespace: string, actionPath: string, revision: string): string {
  return `${invocationNamespace}|${actionPath}@${revision}`;
}

/**
 * Picks a warm container with spare capacity for `key`, preferring the most recently used one (keeps the working
 * set small so idle ones age out). Pure.
 */
export function pickWarm(entries: Iterable<PoolEntry>, key: string): PoolEntry | undefined {
  let best: PoolEntry | undefined;
  for (const e of entries) {
    if (e.key !== key || e.removing || !e.initialized || e.inFlight >= e.maxConcurrency) continue;
    if (!best || e.lastUsed > best.lastUsed) best = e;
  }
  return best;
}

/**
 * Chooses idle containers to evict, least recently used first, until `neededMB` fits in `budgetMB`. Returns
 * undefined when even evicting every idle container would not make room. Pure.
 */
export function pickEvictions(entries: readonly PoolEntry[], neededMB: number, budgetMB: number): PoolEntry[] | undefined {
  const used = entries.reduce((sum, e) => sum + e.memoryMB, 0);
  let free = budgetMB - used;
  if (free >= neededMB) return [];
  const idle = entries.filter((e) => e.inFlight === 0 && !e.removing && e.initialized).sort((a, b) => a.lastUsed - b.lastUsed);
  const out: PoolEntry[] = [];
  for (const e of idle) {
    if (free >= neededMB) break;
    out.push(e);
    free += e.memoryMB;
  }
  return free >= neededMB ? out : undefined;
}
