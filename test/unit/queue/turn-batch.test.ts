import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../../src/adapters/queue/bullmq/turn-batch.js';

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('TurnBatch', () => {
  it('flushes what one turn submitted together, per key, and each later turn on its own', async () => {
    const flushes: Array<[string, number[]]> = [];
    const batch = new TurnBatch<string, number>(async (key, items) => void flushes.push([key, items]));
    const first = [batch.submit('a', 1), batch.submit('b', 2), batch.submit('a', 3)];
    expect(flushes).toEqual([]); // nothing goes out before the turn ends
    await Promise.all(first);
    expect(flushes).toEqual([
      ['a', [1, 3]],
      ['b', [2]],
    ]);
    await nextTurn();
    await batch.submit('a', 4);
    expect(flushes.at(-1)).toEqual(['a', [4]]);
  });

  it('rejects every submit of a failed group, and only those', async () => {
    const batch = new TurnBatch<string, number>(async (key) => {
      if (key === 'bad') throw new Error('down');
    });
    const results = await Promise.allSettled([batch.submit('bad', 1), batch.submit('bad', 2), batch.submit('ok', 3)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('splits a large turn into groups of at most 256', async () => {
    const sizes: number[] = [];
    const batch = new TurnBatch<string, number>(async (_key, items) => void sizes.push(items.length));
    await Promise.all(Array.from({ length: 600 }, (_, i) => batch.submit('k', i)));
    expect(sizes).toEqual([256, 256, 88]);
  });

  it('a flush that throws synchronously rejects its group', async () => {
    const batch = new TurnBatch<string, number>(() => {
      throw new Error('sync');
    });
    await expect(batch.submit('k', 1)).rejects.toThrow('sync');
  });

  it('with delayMs gathers across turns until the delay ends', async () => {
    const flushes: number[][] = [];
    const batch = new TurnBatch<string, number>(async (_key, items) => void flushes.push(items), { delayMs: 30 });
    const first = batch.submit('k', 1);
    await nextTurn();
    await nextTurn();
    const second = batch.submit('k', 2);
    expect(flushes).toEqual([]);
    await Promise.all([first, second]);
    expect(flushes).toEqual([[1, 2]]);
  });

  it('drain flushes a gathering group at once and waits for the flushes in progress', async () => {
    let release: () => void = () => {};
    const flushes: number[][] = [];
    const batch = new TurnBatch<string, number>(async (_key, items) => {
      flushes.push(items);
      await new Promise<void>((r) => (release = r));
    }, { delayMs: 60_000 });
    const submitted = batch.submit('k', 1);
    let drained = false;
    const draining = batch.drain().then(() => (drained = true));
    expect(flushes).toEqual([[1]]); // not after 60 s
    await nextTurn();
    expect(drained).toBe(false); // the flush has not finished
    release();
    await draining;
    await submitted;
    expect(drained).toBe(true);
  });

  it('with leading sends the first item of a turn at once and gathers the rest of that turn', async () => {
    const flushes: number[][] = [];
    const batch = new TurnBatch<string, number>(async (_key, items) => void flushes.push(items), { leading: true });
    const first = batch.submit('k', 1);
    expect(flushes).toEqual([[1]]); // synchronously, before the turn ends
    const rest = [batch.submit('k', 2), batch.submit('k', 3)];
    expect(flushes).toEqual([[1]]);
    await Promise.all([first, ...rest]);
    expect(flushes).toEqual([[1], [2, 3]]);
    await nextTurn();
    await batch.submit('k', 4);
    expect(flushes.at(-1)).toEqual([4]);
  });
});
