import { describe, expect, it } from 'vitest';
import { startSpinner } from '../../src/cli/spinner.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (c: string) => chunks.push(c) };
}

describe('spinner', () => {
  it('draws on stderr when both streams are terminals, and clears its line when stopped', () => {
    const out = stream(true);
    const err = stream(true);
    const s = startSpinner(out, err, 'waiting for /_/x', true);
    s.stop();
    expect(out.chunks).toEqual([]);
    expect(err.chunks[0]).toMatch(/^\r. waiting for \/_\/x \d+\.\ds/);
    expect(err.chunks.at(-1)).toBe('\r\x1b[K');
  });

  it.each([
    [false, true, true],
    [true, false, true],
    [true, true, false],
  ])('draws nothing when stdout TTY=%s, stderr TTY=%s, enabled=%s', (outTty, errTty, enabled) => {
    const out = stream(outTty);
    const err = stream(errTty);
    startSpinner(out, err, 'x', enabled).stop();
    expect([...out.chunks, ...err.chunks]).toEqual([]);
  });
});
