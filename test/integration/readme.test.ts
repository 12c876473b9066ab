import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';

/**
 * The README is a script. Every ```bash block of README.md runs, in order, in one bash session (so exports carry
 * over) from the checkout's root, against a fresh Whirl on its own port and data directory. The only thing the test
 * provides is WHIRL_APIHOST (the README's first block keeps a preset value), and a HOME of its own so no
 * ~/.whirlprops or ~/.wskprops of the machine is read.
 *
 * Expected output: every whole-line comment (`# …`) in a block is a line the block must print, in that order;
 * comparison ignores whitespace, so `# {"payload":"Hi Ann"}` matches the CLI's indented JSON. Explanations go in
 * trailing comments (`cmd   # why`) or in the prose.
 *
 * A block preceded by `<!-- readme-test: skip — reason -->` is not run; it is listed as a skipped test with its reason.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKIP = /^<!--\s*readme-test:\s*skip\s*[—-]\s*(.+?)\s*-->$/;

interface ReadmeBlock {
  line: number;
  code: string;
  skip?: string;
  expected: string[];
}

/** The shell blocks of a Markdown text, with their skip markers and expected-output comments. */
function shellBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(bash|sh|shell)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    const body: string[] = [];
    for (i = start; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    const marker = SKIP.exec((lines[start - 2] ?? '').trim());
    blocks.push({
      line: start,
      code: body.join('\n'),
      ...(marker ? { skip: marker[1]! } : {}),
      expected: body.filter((l) => /^#\s/.test(l)).map((l) => l.replace(/^#\s+/, '')),
    });
  }
  return blocks;
}

const squash = (s: string) => s.replace(/\s+/g, '');

/** Each expected line must appear in the output, in order (whitespace ignored). Returns the first one missing. */
function missingOutput(stdout: string, expected: string[]): string | undefined {
  const out = squash(stdout);
  let from = 0;
  for (const e of expected) {
    const at = out.indexOf(squash(e), from);
    if (at < 0) return e;
    from = at + squash(e).length;
  }
  return undefined;
}

const blocks = shellBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

describe('README.md shell blocks, run in order against a fresh Whirl', () => {
  let whirl: WhirlProcess;
  let dataDir: string;
  let home: string;
  // One bash session for the whole README: a block's exports are seen by the next, as in a terminal.
  const env: Record<string, string> = {};
  const prelude: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'whirl-readme-data-'));
    home = mkdtempSync(join(tmpdir(), 'whirl-readme-home-'));
    whirl = await startWhirlProcess({ WHIRL_DATA_DIR: dataDir }, { timeoutMs: 60_000 });
    Object.assign(env, { WHIRL_APIHOST: whirl.url, HOME: home });
  }, 90_000);
  afterAll(async () => {
    await whirl?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('has runnable blocks with expected output (the test is not vacuous)', () => {
    const runnable = blocks.filter((b) => !b.skip);
    expect(runnable.length).toBeGreaterThanOrEqual(4);
    expect(runnable.flatMap((b) => b.expected).length).toBeGreaterThanOrEqual(4);
  });

  for (const block of blocks) {
    const title = `README.md:${block.line}: ${block.code.split('\n')[0]}`;
    if (block.skip) {
      it.skip(`${title} — not run: ${block.skip}`, () => {});
      continue;
    }
    it(title, async () => {
      // The export lines of earlier blocks run first, so this block sees what a terminal would have kept.
      const script = ['set -euo pipefail', ...prelude.map((p) => `{ ${p}\n} > /dev/null`), block.code].join('\n');
      const { code, stdout, stderr } = await bash(script, { ...process.env, ...env } as Record<string, string>);
      prelude.push(exportsOnly(block.code));
      expect(code, `exit status of README.md:${block.line}\nstdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);
      const missing = missingOutput(stdout, block.expected);
      expect(missing, `README.md:${block.line} did not print "${missing}"; stdout:\n${stdout}\nstderr:\n${stderr}`).toBeUndefined();
    }, 120_000);
  }

  it('a taken port fails with a hint naming WHIRL_PORT', async () => {
    const port = new URL(whirl.url).port;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, WHIRL_PORT: port, WHIRL_DATA_DIR: mkdtempSync(join(tmpdir(), 'whirl-readme-taken-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    const status = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(status).toBe(1);
    expect(stderr).toMatch(/EADDRINUSE.*set WHIRL_PORT to a free port/);
  }, 90_000);
});

/** The `export` lines of a block: what a later block inherits from it. */
function exportsOnly(code: string): string {
  return code
    .split('\n')
    .filter((l) => /^export\s/.test(l))
    .join('\n') || ':';
}

function bash(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd: ROOT, env, timeout: 110_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
