import { describe, expect, it } from 'vitest';
import { adoptionChanges } from '../../../src/invoker/presence.js';

const inv = (id: string, ageMs: number) => ({ id, memoryMB: 1024, freeMB: 1024, ageMs });

describe('adoptionChanges', () => {
  it('adopts silent peers, never itself, and releases peers that are back or forgotten', () => {
    const invokers = [inv('me', 9000), inv('dead', 6000), inv('alive', 10), inv('back', 10)];
    expect(adoptionChanges('me', invokers, new Set(['back', 'forgotten']), 5000)).toEqual({
      adopt: ['dead'],
      release: ['back', 'forgotten'],
    });
  });
  it('keeps an adoption while the peer stays silent', () => {
    expect(adoptionChanges('me', [inv('dead', 60_000)], new Set(['dead']), 5000)).toEqual({ adopt: [], release: [] });
  });
});
