import type { PoolEntry } from './pool-entry.js';
import { stemKey } from './pool-entry.js';

/** Stem cells to keep ready: `count` containers of `kind` (its `image`) with `memoryMB`. */
export interface PrewarmConfig {
  kind: string;
  image: string;
  memoryMB: number;
  count: number;
}

/**
 * Which stem cells to start now so every prewarm config has its `count` (those being started count). Pure.
 * Stem cells are started only into free memory: they never evict warm containers, and when the budget is full
 * they wait for the next replenish (after a release or a removal).
 */
export function stemCellsToStart(
  entries: readonly PoolEntry[],
  configs: readonly PrewarmConfig[],
  budgetMB: number,
): PrewarmConfig[] {
  let free = budgetMB - entries.reduce((sum, e) => sum + e.memoryMB, 0);
  const out: PrewarmConfig[] = [];
  for (const c of configs) {
    const key = stemKey({ image: c.image, memoryMB: c.memoryMB, network: true, concurrency: 1 });
    const have = entries.filter((e) => e.stem && e.key === key && !e.removing).length;
    for (let k = have; k < c.count && free >= c.memoryMB; k++) {
      out.push(c);
      free -= c.memoryMB;
    }
  }
  return out;
}
