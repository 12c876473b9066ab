import type { Container } from '../ports/container-factory.js';

/**
 * One container in the invoker's pool. A container serves exactly one (invocation namespace, action revision)
 * key for its whole life: containers are never shared across namespaces or actions.
 */
export interface PoolEntry {
  readonly seq: number;
  /** The (namespace, action revision) served; a stem cell's is its `stemKey` until an action takes it. */
  key: string;
  readonly memoryMB: number;
  readonly maxConcurrency: number;
  container: Container | undefined;
  initialized: boolean;
  inFlight: number;
  lastUsed: number;
  /** Log collections of this container's activations, chained so each takes its own lines in run order. */
  logChain: Promise<void>;
  removing: boolean;
  /** A prewarmed stem cell: started, not initialized, waiting for any action of its image and memory. */
  stem?: boolean;
  /** Paused by the engine (idle past the pause grace); must be resumed before use. */
  paused?: boolean;
  /** Pause/resume of this container, chained: the engine must not interleave them. */
  op?: Promise<void>;
  /** The pending pause of an idle container. */
  pauseTimer?: { cancel(): void };
}

/**
 * The key of stem cells an action's container can come from: same image and memory, default network, one
 * activation at a time (stem cells are started with exactly that). Undefined when no stem cell can serve it.
 */
export function stemKey(spec: { image: string; memoryMB: number; network: boolean; concurrency: number }): string | undefined {
  if (!spec.network || spec.concurrency > 1) return undefined;
  return `~stem|${spec.image}@${spec.memoryMB}`;
}

/** An idle stem cell of `key`, oldest first (so all of them get used and none goes stale). Pure. */
export function pickStem(entries: Iterable<PoolEntry>, key: string | undefined): PoolEntry | undefined {
  if (key === undefined) return undefined;
  let best: PoolEntry | undefined;
  for (const e of entries) {
    if (!e.stem || e.key !== key || e.removing || !e.initialized || e.inFlight > 0) continue;
    if (!best || e.seq < best.seq) best = e;
  }
  return best;
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
