import type { PoolEntry } from '../../../src/invoker/pool-entry.js';

let seq = 0;

/** An idle, initialised 256 MB container of key `k`, with the given fields overridden. */
export function entry(p: Partial<PoolEntry>): PoolEntry {
  return {
    seq: ++seq,
    key: 'k',
    memoryMB: 256,
    maxConcurrency: 1,
    container: undefined,
    initialized: true,
    inFlight: 0,
    lastUsed: 0,
    logChain: Promise.resolve(),
    removing: false,
    ...p,
  };
}
