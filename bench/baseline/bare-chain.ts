import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Pool } from 'undici';
import { freePort } from '../../test/helpers/whirl-process.js';
import { startRawContainer } from '../invoke/raw-container.js';
import { timeEach } from '../lib/stats.js';

const NODE_SCRIPT = fileURLToPath(new URL('./bare-chain-node.ts', import.meta.url));

/**
 * Baseline: the hops of a blocking invoke with nothing of Whirl on them. A client POSTs to a bare HTTP server
 * (its own process), which adds a BullMQ job; a bare BullMQ Worker (another process) POSTs `/run` to a warm
 * container and PUBLISHes the result on a Redis channel; the server answers when it arrives. The same ten process
 * boundaries as Whirl's split topology (client → API → Redis → invoker → Redis → invoker → container → invoker →
 * Redis → API → client), none of the work (auth, records, placement, logs, limits): what this host charges for the
 * shape alone.
 */
export async function bareChain(opts: { redisUrl: string; socketPath: string; image: string; n: number }): Promise<number[]> {
  const queue = `whirl-bench-bare-${randomUUID()}`;
  const container = await startRawContainer({ ...opts, name: `whirl-bench-bare-${process.pid}` });
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    const env = { ...process.env, BARE_REDIS_URL: opts.redisUrl, BARE_QUEUE: queue, BARE_PORT: String(port), BARE_CONTAINER_IP: container.ip };
    for (const role of ['invoker', 'api']) children.push(await startNode(role, env));
    const http = new Pool(`http://127.0.0.1:${port}`, { connections: 1, pipelining: 1 });
    try {
      const call = async () => {
        const res = await http.request({ method: 'POST', path: '/', headers: { 'content-type': 'application/json' }, body: '{}' });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`bare chain answered ${res.statusCode}`);
      };
      await timeEach(Math.min(200, opts.n), call); // warm-up
      return await timeEach(opts.n, call);
    } finally {
      await http.close();
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await container.stop();
    const q = new Queue(queue, { connection: { url: opts.redisUrl } });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
}

function startNode(role: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE_SCRIPT, role], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare ${role} did not start`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare ${role} exited with ${code}`));
    });
  });
}
