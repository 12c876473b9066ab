#!/usr/bin/env node
/* global process, URL */
// The `whirl` CLI entry (package.json "bin"). It is the only place that touches the process: it hands argv, the
// streams, the environment and the home directory to runCli (src/cli/main.ts) and exits with the code it returns.
//
// Start-up time matters for a CLI (and for its tests, which run it dozens of times). In a checkout, src/cli is
// bundled with esbuild into node_modules/.cache/whirl-cli/<checkout hash>/ whenever a file it was built from is
// newer than the bundle, so a run costs a plain `node` start instead of tsx's loader; if that fails, tsx runs the source. Without
// sources (a built package), dist/ is used.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'src', 'cli');

/** True when the bundle is missing or any file it was built from (listed by esbuild's metafile) changed since. */
function stale(bundle, inputsFile) {
  if (!existsSync(bundle) || !existsSync(inputsFile)) return true;
  const built = statSync(bundle).mtimeMs;
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
  return inputs.some((file) => !existsSync(join(root, file)) || statSync(join(root, file)).mtimeMs > built);
}

async function bundledSource() {
  // Per checkout: worktrees may share one node_modules, and each must run its own sources.
  const cacheDir = join(root, 'node_modules', '.cache', 'whirl-cli', createHash('sha256').update(root).digest('hex').slice(0, 12));
  const bundle = join(cacheDir, 'main.mjs');
  const inputsFile = join(cacheDir, 'inputs.json');
  if (stale(bundle, inputsFile)) {
    const { build } = await import('esbuild');
    mkdirSync(cacheDir, { recursive: true });
    // Concurrent runs may rebuild at once: each writes its own files and renames them into place (atomic).
    const tag = `${process.pid}.${Date.now()}`;
    const tmp = join(cacheDir, `main.${tag}.mjs`);
    const result = await build({
      entryPoints: [join(srcDir, 'main.ts')],
      outfile: tmp,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      metafile: true,
      absWorkingDir: root,
      logLevel: 'silent',
    });
    const tmpInputs = join(cacheDir, `inputs.${tag}.json`);
    writeFileSync(tmpInputs, JSON.stringify(Object.keys(result.metafile.inputs)));
    renameSync(tmpInputs, inputsFile);
    renameSync(tmp, bundle);
  }
  return pathToFileURL(bundle).href;
}

// Ctrl-C: a command that waits (activation poll) registers a handler and stops cleanly; otherwise exit 130 —
// installed before the CLI is loaded, so a Ctrl-C while it starts is an interruption too, not a kill by signal.
const interruptHandlers = new Set();
process.on('SIGINT', () => {
  if (interruptHandlers.size === 0) process.exit(130);
  for (const handler of interruptHandlers) handler();
});

let cli;
if (existsSync(join(srcDir, 'main.ts'))) {
  try {
    cli = await import(await bundledSource());
  } catch {
    const { register } = await import('tsx/esm/api');
    register();
    cli = await import(pathToFileURL(join(srcDir, 'main.ts')).href);
  }
} else {
  cli = await import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href);
}

// `whirl … | head`: a closed pipe is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const code = await cli.runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  home: homedir(),
  cwd: process.cwd(),
  version,
  onInterrupt(handler) {
    interruptHandlers.add(handler);
    return () => interruptHandlers.delete(handler);
  },
});
process.exit(code);
