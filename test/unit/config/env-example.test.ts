import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../../../src/config/schema.js';

describe('.env.example', () => {
  it('mentions every variable of the configuration schema', () => {
    const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const missing = Object.keys(EnvSchema.shape).filter((k) => !new RegExp(`\\b${k}=`).test(text));
    expect(missing).toEqual([]);
  });
});
