import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/**
 * schemathesis (PyPI) against a live embedded Whirl's `/api/v1/openapi.json`, every check on (test/fuzz/
 * schemathesis.toml, which lists the few per-operation exceptions with their reasons): no 5xx, every status and
 * body as documented (every 4xx is `{error, code}`), 405 with `Allow` for undeclared methods, auth enforced, …
 * Bounded examples and a fixed seed: reproducible, about a minute. Any failure fails this test with schemathesis's
 * report. `scripts/services.sh` installs schemathesis into `.services/schemathesis-venv` and exports
 * WHIRL_TEST_SCHEMATHESIS; without it the suite fails under CI=true and skips loudly otherwise.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = fileURLToPath(new URL('./schemathesis.toml', import.meta.url));
const LOCAL = `${ROOT}.services/schemathesis-venv/bin/schemathesis`;
const BIN = process.env.WHIRL_TEST_SCHEMATHESIS || (existsSync(LOCAL) ? LOCAL : undefined);
const MAX_EXAMPLES = process.env.WHIRL_FUZZ_MAX_EXAMPLES ?? '60';
const SEED = process.env.WHIRL_FUZZ_SEED ?? '1';

function run(bin: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Its own working directory: schemathesis keeps a `.schemathesis/` cache where it runs.
    const cwd = mkdtempSync(join(tmpdir(), 'whirl-fuzz-'));
    const child = spawn(bin, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

function suite(bin: string): void {
  let whirl: TestWhirl;
  beforeAll(async () => {
    whirl = await startTestWhirl('embedded');
  });
  afterAll(async () => {
    await whirl?.stop();
  });

  it('finds no failure in the OpenAPI document’s operations', async () => {
    const [user = '', key = ''] = whirl.auth.split(':');
    const { code, output } = await run(bin, [
      '--config-file', CONFIG,
      'run', `${whirl.url}/api/v1/openapi.json`,
      '-a', `${user}:${key}`,
      '--max-examples', MAX_EXAMPLES,
      '--seed', SEED,
      '--workers', '2',
      '--request-timeout', '30',
    ]);
    if (code !== 0) console.error(output);
    expect(code, `schemathesis failed (exit ${code}):\n${output.slice(-20_000)}`).toBe(0);
    // The run really tested the API (a schema that failed to load also exits non-zero, but be explicit).
    expect(output).toMatch(/\d+ generated, \d+ passed/);
  }, 300_000);
}

if (BIN) {
  describe('schemathesis fuzzing', () => suite(BIN));
} else {
  const why = 'needs schemathesis (WHIRL_TEST_SCHEMATHESIS, installed by scripts/services.sh: run npm test)';
  if (process.env.CI === 'true') {
    describe('schemathesis fuzzing', () => {
      throw new Error(`[services] schemathesis fuzzing: ${why}`);
    });
  } else {
    console.warn(`\n[services] SKIPPING "schemathesis fuzzing": ${why}\n`);
    describe.skip(`schemathesis fuzzing [SKIPPED: ${why}]`, () => {});
  }
}
