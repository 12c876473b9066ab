import { describe, expect, it } from 'vitest';
import { pickEvictions, pickWarm, poolKey, stemKey } from '../../../src/invoker/pool-entry.js';
import { entry } from './pool-fixtures.js';


describe('poolKey', () => {
  it('separates invoking namespaces and revisions', () => {
    expect(poolKey('a', 'ns/x', '1')).not.toBe(poolKey('b', 'ns/x', '1'));
    expect(poolKey('a', 'ns/x', '1')).not.toBe(poolKey('a', 'ns/x', '2'));
  });
});

describe('pickWarm', () => {
  it('takes the most recently used idle container of the key', () => {
    const a = entry({ lastUsed: 1 });
    const b = entry({ lastUsed: 5 });
    expect(pickWarm([a, b, entry({ key: 'other', lastUsed: 9 })], 'k')).toBe(b);
  });
  it('skips busy, uninitialised and removing containers', () => {
    const busy = entry({ inFlight: 1 });
    const cold = entry({ initialized: false });
    const gone = entry({ removing: true });
    expect(pickWarm([busy, cold, gone], 'k')).toBeUndefined();
  });
  it('shares a container up to its concurrency', () => {
    const c = entry({ maxConcurrency: 3, inFlight: 2 });
    expect(pickWarm([c], 'k')).toBe(c);
    c.inFlight = 3;
    expect(pickWarm([c], 'k')).toBeUndefined();
  });
});

describe('pickEvictions', () => {
  it('evicts nothing when the budget has room', () => {
    expect(pickEvictions([entry({})], 256, 1024)).toEqual([]);
  });
  it('evicts least recently used idle containers until the new one fits', () => {
    const old = entry({ lastUsed: 1 });
    const mid = entry({ lastUsed: 2 });
    const recent = entry({ lastUsed: 3 });
    expect(pickEvictions([recent, old, mid], 512, 768)).toEqual([old, mid]);
  });
  it('refuses when busy containers fill the budget', () => {
    expect(pickEvictions([entry({ inFlight: 1 }), entry({ inFlight: 1 })], 256, 512)).toBeUndefined();
  });
});

describe('stemKey', () => {
  it('matches stem cells only for default-network, one-at-a-time containers', () => {
    const base = { image: 'img', memoryMB: 256, network: true, concurrency: 1 };
    expect(stemKey(base)).toBe(stemKey({ ...base }));
    expect(stemKey({ ...base, memoryMB: 512 })).not.toBe(stemKey(base));
    expect(stemKey({ ...base, network: false })).toBeUndefined();
    expect(stemKey({ ...base, concurrency: 2 })).toBeUndefined();
  });
});
