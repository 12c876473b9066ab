import { pickEvictions, pickStem, pickWarm, type PoolEntry } from './pool-entry.js';

/** What the pool should do for an activation that needs a container of `key`. */
export type PoolDecision =
  | { kind: 'warm'; entry: PoolEntry }
  /** Wait for a container of this key to come free: cheaper than starting one. */
  | { kind: 'queue' }
  | { kind: 'create'; evict: PoolEntry[] }
  /** Take this prewarmed stem cell: only `/init` is left of a cold start. */
  | { kind: 'stem'; entry: PoolEntry }
  /** Nothing of this key exists and the memory budget is full of busy containers. */
  | { kind: 'wait-memory' };

export interface Demand {
  /** Activations of this key already waiting for one of its containers. */
  waiting: number;
  /** Typical time a container of this key is held per activation (ms); undefined until one has run. */
  avgHoldMs: number | undefined;
  /** Typical cost of a cold start (create + init, ms). */
  coldStartMs: number;
  /** The stem cells that could serve this key (pool-entry.ts `stemKey`); undefined: none can. */
  stemKey?: string;
  /** The host's CPUs are saturated (see `FAST_HOLD_MS`). */
  hostBusy?: boolean;
}

/**
 * Below this hold time an action's containers are not what limits its rate on a saturated host: the hold is mostly
 * the invoker's and the host's own work, which another container does not add (it only costs a cold start's CPU).
 */
export const FAST_HOLD_MS = 50;

/**
 * The pool's scheduling rule. Pure.
 *
 * A warm idle container is always taken. Otherwise the activation queues behind the key's busy containers when
 * the expected wait there — (waiting + 1) × hold time ÷ their capacity — is shorter than a cold start, and a new
 * container is started when it is not: a prewarmed stem cell of the same image and memory if there is one, else a
 * new one (evicting least-recently-used idle containers, stem cells included, if the memory budget needs it).
 * Starting a container per concurrent request, as OpenWhisk does, costs a cold start each and, on a small host,
 * makes every container slower: a few busy containers serve more activations per second than many. So while the
 * host's CPUs are saturated, a fast action (hold < FAST_HOLD_MS) that has a container queues instead of growing
 * (on 2 cores a noop action stored 1,480–1,540 activations/s from one container, 1,200–1,350/s from two to three:
 * each extra container only added its own wake-ups and CPU to a host that had none to spare), and at any time a
 * fast action with a container still starting waits for it rather than starting another; slow actions (waiting on
 * I/O, say) still grow at once, since their containers are what they wait
 * for, and so does an action that has not run yet (its hold time is unknown).
 */
export function decide(
  entries: readonly PoolEntry[],
  key: string,
  memoryMB: number,
  budgetMB: number,
  demand: Demand,
): PoolDecision {
  const warm = pickWarm(entries, key);
  if (warm) return { kind: 'warm', entry: warm };
  let capacity = 0;
  let starting = false;
  for (const e of entries) {
    if (e.key !== key || e.removing) continue;
    capacity += e.maxConcurrency;
    starting ||= !e.initialized;
  }
  if (capacity > 0 && demand.avgHoldMs !== undefined) {
    const expectedWaitMs = ((demand.waiting + 1) * demand.avgHoldMs) / capacity;
    if (expectedWaitMs < demand.coldStartMs) return { kind: 'queue' };
    const fast = demand.avgHoldMs < FAST_HOLD_MS;
    // A fast action grows one container at a time: the queue it would start another for drains in less time than
    // the start in flight takes, and a burst otherwise starts a container per waiting activation before the host's
    // saturation is even sampled.
    if (fast && starting) return { kind: 'queue' };
    if (fast && demand.hostBusy) return { kind: 'queue' };
  }
  const stem = pickStem(entries, demand.stemKey);
  if (stem) return { kind: 'stem', entry: stem };
  const evict = pickEvictions(entries, memoryMB, budgetMB);
  if (evict) return { kind: 'create', evict };
  return capacity > 0 ? { kind: 'queue' } : { kind: 'wait-memory' };
}
