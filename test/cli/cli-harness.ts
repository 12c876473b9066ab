import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GUEST_KEY, startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';

/**
 * Runs the real `bin/whirl.mjs` as a child process with a temporary HOME (so ~/.whirlprops and ~/.wskprops are the
 * test's own) and an environment stripped of every variable the CLI reads, then returns exit code and output.
 */
const BIN = fileURLToPath(new URL('../../bin/whirl.mjs', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Cli {
  readonly home = mkdtempSync(join(tmpdir(), 'whirl-cli-home-'));
  constructor(private readonly baseEnv: Record<string, string> = {}) {}

  run(
    args: string[],
    opts: {
      env?: Record<string, string>;
      input?: string;
      timeoutMs?: number;
      interruptAfterMs?: number;
      /** Sends SIGINT once the output so far satisfies this (e.g. the command says it is waiting). */
      interruptWhen?: (out: { stdout: string; stderr: string }) => boolean;
    } = {},
  ): Promise<CliResult> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(WHIRL_|__OW_|WSK_)/.test(k)) env[k] = v;
    }
    Object.assign(env, { HOME: this.home, NO_COLOR: '1' }, this.baseEnv, opts.env);
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: this.home, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      const maybeInterrupt = () => {
        if (interrupted || !opts.interruptWhen?.({ stdout, stderr })) return;
        interrupted = true;
        child.kill('SIGINT');
      };
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        maybeInterrupt();
      });
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        maybeInterrupt();
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`whirl ${args.join(' ')} did not finish\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, opts.timeoutMs ?? 60_000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(opts.input ?? '');
      if (opts.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), opts.interruptAfterMs);
    });
  }

  /** Runs and parses stdout as JSON (the command must be given `--json` or print JSON). */
  async json(args: string[], opts?: { env?: Record<string, string> }): Promise<{ code: number; body: any; stderr: string }> {
    const r = await this.run(args, opts);
    let body: unknown;
    try {
      body = JSON.parse(r.stdout);
    } catch {
      throw new Error(`whirl ${args.join(' ')} printed no JSON (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    return { code: r.code, body, stderr: r.stderr };
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** A live Whirl (its own OS process, embedded defaults, data in a temp dir) and a CLI configured for it. */
export async function startCliWorld(env: Record<string, string> = {}): Promise<{ whirl: WhirlProcess; cli: Cli; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'whirl-cli-data-'));
  const whirl = await startWhirlProcess({ WHIRL_DATA_DIR: dataDir, WHIRL_GUEST_KEY: GUEST_KEY, ...env }, { timeoutMs: 60_000 });
  const cli = new Cli();
  const set = await cli.run(['property', 'set', '--apihost', whirl.url, '--auth', GUEST_KEY]);
  if (set.code !== 0) throw new Error(`property set failed: ${set.stderr}`);
  return {
    whirl,
    cli,
    async stop() {
      await whirl.stop();
      cli.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Retries `fn` until it returns a value (records are stored asynchronously after the result is known). */
export async function until<T>(fn: () => Promise<T | undefined>, ms = 20_000, every = 200): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}
