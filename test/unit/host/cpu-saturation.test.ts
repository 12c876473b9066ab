import { describe, expect, it } from 'vitest';
import { afterSample } from '../../../src/adapters/host/cpu-saturation.js';

const rule = { idleBelow: 0.25, holdMs: 1000 };
const interval = (idle: number, at: number) => ({ all: 200, idle: idle * 200, at });

describe('afterSample', () => {
  it('is busy when less than a quarter of the interval was idle', () => {
    expect(afterSample(-Infinity, interval(0.2, 100), rule)).toEqual({ busy: true, lastBusyAt: 100 });
    expect(afterSample(-Infinity, interval(0.3, 100), rule)).toEqual({ busy: false, lastBusyAt: -Infinity });
  });

  it('stays busy for holdMs after the last busy interval, then reads free', () => {
    expect(afterSample(100, interval(0.6, 1099), rule)).toEqual({ busy: true, lastBusyAt: 100 });
    expect(afterSample(100, interval(0.6, 1100), rule)).toEqual({ busy: false, lastBusyAt: 100 });
  });

  it('judges nothing from an empty interval', () => {
    expect(afterSample(100, { all: 0, idle: 0, at: 200 }, rule)).toBeUndefined();
  });
});
