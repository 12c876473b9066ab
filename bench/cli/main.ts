/**
 * bench/cli — what the `whirl` CLI costs per command, beside baselines measured in the same run:
 *   - `node -e 0`: the floor for any Node CLI (process start);
 *   - `node` + one fetch of the same invoke: process start plus the HTTP call, without the CLI;
 *   - `node --import tsx`: what every run would cost if the CLI ran its TypeScript through tsx (bin/whirl.mjs bundles
 *     src/cli with esbuild instead; see docs/cli.md).
 *
 *   npx tsx bench/cli/main.ts [--n 15]
 *
 * Starts an embedded Whirl (no services needed). Prints, never asserts: benchmarks are not tests.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmt, percentile } from '../lib/stats.js';
import { GUEST_KEY, startWhirlProcess } from '../../test/helpers/whirl-process.js';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '15' } } });
const n = Number(args.n);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/whirl.mjs');

function run(argv: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${argv.join(' ')} exited ${code}`))));
  });
}

async function measure(label: string, argv: string[], env: Record<string, string>): Promise<void> {
  await run(argv, env); // warm the bundle / tsx caches and the action's container
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await run(argv, env));
  console.log(`${label.padEnd(44)} p50 ${fmt(percentile(samples, 50)).padStart(9)}  p90 ${fmt(percentile(samples, 90)).padStart(9)}`);
}

const home = mkdtempSync(join(tmpdir(), 'whirl-bench-cli-'));
const dataDir = mkdtempSync(join(tmpdir(), 'whirl-bench-cli-data-'));
const whirl = await startWhirlProcess({ WHIRL_DATA_DIR: dataDir, WHIRL_GUEST_KEY: GUEST_KEY });
try {
  writeFileSync(join(home, 'noop.js'), 'function main() { return {}; }');
  const env = { HOME: home, WHIRL_APIHOST: whirl.url, WHIRL_AUTH: GUEST_KEY };
  await run([BIN, 'action', 'create', 'noop', join(home, 'noop.js')], env);
  const auth = Buffer.from(GUEST_KEY).toString('base64');
  const fetchInvoke = `await fetch('${whirl.url}/api/v1/namespaces/_/actions/noop?blocking=true&result=true', { method: 'POST', headers: { authorization: 'Basic ${auth}', 'content-type': 'application/json' }, body: '{}' }).then((r) => r.text());`;

  console.log(`bench/cli: ${n} runs each, embedded Whirl at ${whirl.url}, warm noop action`);
  await measure('baseline: node -e 0', ['-e', '0'], env);
  await measure('baseline: node --import tsx -e 0', ['--import', 'tsx', '-e', '0'], env);
  await measure('whirl --version', [BIN, '--version'], env);
  await measure('baseline: node + fetch blocking invoke', ['--input-type=module', '-e', fetchInvoke], env);
  await measure('whirl action invoke noop -r', [BIN, 'action', 'invoke', 'noop', '-r'], env);
  await measure('whirl action list', [BIN, 'action', 'list'], env);
} finally {
  await whirl.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}
