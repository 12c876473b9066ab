import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors/codes.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/errors.md', import.meta.url)), 'utf8');
/** `- WHIRL_X (status): meaning` lines. */
const documented = new Map(
  [...doc.matchAll(/^- (WHIRL_[A-Z0-9_]+) \((\d{3})\): \S.*$/gm)].map((m) => [m[1]!, Number(m[2])]),
);

describe('docs/errors.md', () => {
  it('documents every registered code with its status', () => {
    const missing = Object.keys(ErrorCodes).filter((c) => !documented.has(c));
    expect(missing).toEqual([]);
    for (const [code, { status }] of Object.entries(ErrorCodes)) expect([code, documented.get(code)]).toEqual([code, status]);
  });

  it('lists no code that does not exist', () => {
    const unknown = [...documented.keys()].filter((c) => !(c in ErrorCodes));
    expect(unknown).toEqual([]);
  });

  it('has one line per code', () => {
    const lines = doc.match(/^- WHIRL_/gm) ?? [];
    expect(lines.length).toBe(documented.size);
  });
});
