import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/whirl-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CapturedWhirl {
  url: string;
  /** Everything the process wrote to stdout and stderr so far, from its first byte. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `src/main.ts` as its own process with every byte of its stdout and stderr kept (startup included, which
 * `startWhirlProcess` consumes), for tests that search the logs for secrets.
 */
export async function startCapturedWhirl(env: Record<string, string>): Promise<CapturedWhirl> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, WHIRL_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`whirl did not start within 30 s:\n${out}`)), 30_000);
    const check = () => {
      if (/Whirl .*running/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`whirl exited with ${code}:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
