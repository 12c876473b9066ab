import { describe, expect, it } from 'vitest';
import { parsePrewarm } from '../../../src/config/prewarm-list.js';
import type { PoolEntry } from '../../../src/invoker/pool-entry.js';
import { stemCellsToStart } from '../../../src/invoker/prewarm.js';

const cfg = { kind: 'nodejs:20', image: 'img', memoryMB: 256, count: 2 };
const stem = (p: Partial<PoolEntry> = {}): PoolEntry => ({
  seq: 1,
  key: '~stem|img@256',
  memoryMB: 256,
  maxConcurrency: 1,
  container: undefined,
  initialized: true,
  inFlight: 0,
  lastUsed: 0,
  logChain: Promise.resolve(),
  removing: false,
  stem: true,
  ...p,
});

describe('stemCellsToStart', () => {
  it('tops each configuration up to its count, counting stem cells being started', () => {
    expect(stemCellsToStart([], [cfg], 4096)).toEqual([cfg, cfg]);
    expect(stemCellsToStart([stem({ inFlight: 1, initialized: false })], [cfg], 4096)).toEqual([cfg]);
    expect(stemCellsToStart([stem(), stem()], [cfg], 4096)).toEqual([]);
  });
  it('ignores stem cells being removed, and starts only into free memory', () => {
    expect(stemCellsToStart([stem({ removing: true })], [cfg], 4096)).toHaveLength(2);
    const warm = stem({ key: 'guest|a@1', stem: false });
    expect(stemCellsToStart([warm], [cfg], 512)).toEqual([cfg]);
    expect(stemCellsToStart([warm], [cfg], 256)).toEqual([]);
  });
});

describe('parsePrewarm', () => {
  it('reads kind@memoryMB=count items', () => {
    expect(parsePrewarm('nodejs:default@256=2, blackbox@128=1')).toEqual([
      { kind: 'nodejs:default', memoryMB: 256, count: 2 },
      { kind: 'blackbox', memoryMB: 128, count: 1 },
    ]);
    expect(parsePrewarm('')).toEqual([]);
    expect(() => parsePrewarm('nodejs')).toThrow();
  });
});
