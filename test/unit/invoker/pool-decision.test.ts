import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/invoker/pool-decision.js';
import { entry } from './pool-fixtures.js';

const demand = (waiting: number, avgHoldMs: number | undefined) => ({ waiting, avgHoldMs, coldStartMs: 300 });

describe('decide', () => {
  it('takes a warm idle container of the key', () => {
    const warm = entry({});
    expect(decide([warm], 'k', 256, 1024, demand(0, 1))).toEqual({ kind: 'warm', entry: warm });
  });
  it('queues behind a busy container when the wait is shorter than a cold start', () => {
    expect(decide([entry({ inFlight: 1 })], 'k', 256, 1024, demand(10, 2))).toEqual({ kind: 'queue' });
  });
  it('starts a container when the queue would take longer than a cold start', () => {
    expect(decide([entry({ inFlight: 1 })], 'k', 256, 1024, demand(200, 2))).toEqual({ kind: 'create', evict: [] });
  });
  it('on a saturated host, a fast action that has a container queues instead of growing', () => {
    const busy = { ...demand(200, 2), hostBusy: true };
    expect(decide([entry({ inFlight: 1 })], 'k', 256, 1024, busy)).toEqual({ kind: 'queue' });
    expect(decide([entry({ inFlight: 1 })], 'k', 256, 1024, { ...busy, hostBusy: false }).kind).toBe('create');
    expect(decide([], 'k', 256, 1024, busy).kind).toBe('create'); // none yet: it needs one
  });
  it('on a saturated host, a slow action still grows (its containers are what it waits for)', () => {
    const busy = { ...demand(200, 60), hostBusy: true };
    expect(decide([entry({ inFlight: 1 }), entry({ inFlight: 1 })], 'k', 256, 1024, busy).kind).toBe('create');
  });
  it('a fast action waits for a container of its own that is still starting instead of starting another', () => {
    const starting = [entry({ inFlight: 1 }), entry({ inFlight: 1, initialized: false })];
    expect(decide(starting, 'k', 256, 1024, demand(200, 2))).toEqual({ kind: 'queue' });
    expect(decide(starting, 'k', 256, 1024, demand(200, 60)).kind).toBe('create'); // slow: grows at once
    expect(decide([entry({ inFlight: 1 }), entry({ inFlight: 1 })], 'k', 256, 1024, demand(400, 2)).kind).toBe('create'); // none starting
    expect(decide([entry({ inFlight: 1 }), entry({ key: 'other', initialized: false })], 'k', 256, 1024, demand(200, 2)).kind).toBe('create');
  });
  it('starts a container when nothing is known of the key’s run time', () => {
    expect(decide([entry({ inFlight: 1 })], 'k', 256, 1024, demand(0, undefined)).kind).toBe('create');
  });
  it('counts every container of the key, with its concurrency', () => {
    const busy = [entry({ inFlight: 4, maxConcurrency: 4 }), entry({ inFlight: 4, maxConcurrency: 4 })];
    // (100 + 1) × 20 ms ÷ 8 slots = 252 ms < 300 ms
    expect(decide(busy, 'k', 256, 4096, demand(100, 20)).kind).toBe('queue');
  });
  it('evicts idle containers of other keys to make room', () => {
    const other = entry({ key: 'other', lastUsed: 1 });
    expect(decide([other], 'k', 256, 256, demand(0, undefined))).toEqual({ kind: 'create', evict: [other] });
  });
  it('queues when the budget is full but the key has containers', () => {
    expect(decide([entry({ inFlight: 1 })], 'k', 256, 256, demand(1000, 50)).kind).toBe('queue');
  });
  it('waits for memory when the budget is full of other keys’ busy containers', () => {
    expect(decide([entry({ key: 'other', inFlight: 1 })], 'k', 256, 256, demand(0, undefined)).kind).toBe('wait-memory');
  });
  it('ignores containers being removed', () => {
    expect(decide([entry({ removing: true })], 'k', 256, 1024, demand(0, 1)).kind).toBe('create');
  });
  it('takes an idle stem cell of the action’s image and memory before creating a container', () => {
    const stem = entry({ key: '~stem|img@256', stem: true, seq: 1000 });
    const d = { ...demand(0, undefined), stemKey: '~stem|img@256' };
    expect(decide([stem], 'k', 256, 1024, d)).toEqual({ kind: 'stem', entry: stem });
    expect(decide([stem], 'k', 256, 1024, { ...d, stemKey: '~stem|img@512' }).kind).toBe('create');
    expect(decide([entry({ key: '~stem|img@256', stem: true, inFlight: 1 })], 'k', 256, 1024, d).kind).toBe('create');
  });
  it('prefers a warm container of the key over a stem cell', () => {
    const warm = entry({});
    const stem = entry({ key: '~stem|img@256', stem: true });
    expect(decide([stem, warm], 'k', 256, 1024, { ...demand(0, 1), stemKey: '~stem|img@256' })).toEqual({ kind: 'warm', entry: warm });
  });
});
