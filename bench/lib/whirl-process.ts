import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const GUEST_KEY =
  '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface WhirlProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `src/main.ts` as its own process with `env`, and waits until `/ping` answers. */
export async function startWhirlProcess(env: Record<string, string>): Promise<WhirlProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, WHIRL_PORT: String(port), WHIRL_LOG_LEVEL: 'warn', WHIRL_PRINT_KEY: 'false', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`whirl exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error('whirl did not start within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
