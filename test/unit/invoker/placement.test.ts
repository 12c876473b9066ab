import { describe, expect, it } from 'vitest';
import { homeHash, place, stepSizes } from '../../../src/engine/placement.js';
import type { InvokerStatus } from '../../../src/ports/invoker-registry.js';

const inv = (id: string, freeMB: number, ageMs = 0): InvokerStatus => ({ id, memoryMB: 1024, freeMB, ageMs });

describe('place (sharding balancer)', () => {
  const ring = [inv('a', 1024), inv('b', 1024), inv('c', 1024)];

  it('sends an action to its home invoker while it has room', () => {
    expect(place(ring, 0, 256, 5000)).toBe('a');
    expect(place(ring, 1, 256, 5000)).toBe('b');
    expect(place(ring, 5, 256, 5000)).toBe('c');
  });

  it('overflows from a full home along the probe ring', () => {
    const full = [inv('a', 100), inv('b', 1024), inv('c', 1024)];
    expect(place(full, 0, 256, 5000)).not.toBe('a');
  });

  it('never places on an invoker silent for deadMs', () => {
    const withDead = [inv('a', 1024, 6000), inv('b', 1024)];
    for (let h = 0; h < 20; h++) expect(place(withDead, h, 256, 5000)).toBe('b');
  });

  it('picks the invoker with the most free memory when none has room', () => {
    expect(place([inv('a', 10), inv('b', 200), inv('c', 50)], 0, 256, 5000)).toBe('b');
  });

  it('returns undefined with no live invoker (shared queue)', () => {
    expect(place([], 3, 256, 5000)).toBeUndefined();
    expect(place([inv('a', 1024, 9999)], 3, 256, 5000)).toBeUndefined();
  });

  it('spreads distinct actions over the ring and keeps one action at home', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const id = place(ring, homeHash('guest', `action-${i}`), 256, 5000)!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const id of ['a', 'b', 'c']) expect(counts.get(id)).toBeGreaterThan(50);
    expect(homeHash('guest', 'x')).toBe(homeHash('guest', 'x'));
  });

  it('probes every invoker once (step sizes are coprime to the ring size)', () => {
    for (const n of [1, 2, 3, 4, 6, 7]) {
      for (const step of stepSizes(n)) {
        const seen = new Set(Array.from({ length: n }, (_, k) => (k * step) % n));
        expect(seen.size).toBe(n);
      }
    }
  });
});
