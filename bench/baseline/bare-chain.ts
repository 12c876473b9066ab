import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Admin } from '@platformatic/kafka';
import { Queue } from 'bullmq';
import { Pool } from 'undici';
import { freePort } from '../../test/helpers/whirl-process.js';
import { startRawContainer } from '../invoke/raw-container.js';
import { timeEach } from '../lib/stats.js';

const SCRIPTS = {
  bullmq: fileURLToPath(new URL('./bare-chain-node.ts', import.meta.url)),
  kafka: fileURLToPath(new URL('./bare-kafka-chain-node.ts', import.meta.url)),
};

export type BareChainOptions = { socketPath: string; image: string; n: number } & (
  /**
   * `worker`: the bare worker's BullMQ concurrency and how long it keeps each job active after publishing its result
   * (defaults 1 and 0, the plainest chain). A durable invoker fetches many jobs at once and finishes a job only
   * once its record is stored (Whirl: concurrency 256, records batched for up to 50 ms).
   */
  | { queue: 'bullmq'; redisUrl: string; worker?: { concurrency: number; holdMs: number } }
  /** `marker`: the worker writes an acknowledged record before running, as an at-most-once Kafka consumer must. */
  | { queue: 'kafka'; brokers: string[]; marker: boolean }
);

/**
 * Baseline: the hops of a blocking invoke with nothing of Whirl on them. A client POSTs to a bare HTTP server
 * (its own process), which adds a BullMQ job; a bare BullMQ Worker (another process) POSTs `/run` to a warm
 * container and PUBLISHes the result on a Redis channel; the server answers when it arrives. With `queue: 'kafka'`
 * the same over Kafka topics (bare-kafka-chain-node.ts), optionally with the acknowledged marker write an
 * at-most-once consumer needs before it runs anything. The same ten process
 * boundaries as Whirl's split topology (client → API → Redis → invoker → Redis → invoker → container → invoker →
 * Redis → API → client), none of the work (auth, records, placement, logs, limits): what this host charges for the
 * shape alone.
 */
export async function bareChain(opts: BareChainOptions): Promise<number[]> {
  const queue = `whirl-bench-bare-${randomUUID()}`;
  const container = await startRawContainer({ ...opts, name: `whirl-bench-bare-${process.pid}` });
  const children: ChildProcess[] = [];
  const admin = opts.queue === 'kafka' ? new Admin({ bootstrapBrokers: opts.brokers, clientId: queue }) : undefined;
  const topics = [`${queue}.work`, `${queue}.done`, `${queue}.state`];
  try {
    const port = await freePort();
    const env = {
      ...process.env,
      BARE_QUEUE: queue,
      BARE_PORT: String(port),
      BARE_CONTAINER_IP: container.ip,
      ...(opts.queue === 'bullmq' && opts.worker
        ? { BARE_CONCURRENCY: String(opts.worker.concurrency), BARE_HOLD_MS: String(opts.worker.holdMs) }
        : {}),
      ...(opts.queue === 'bullmq' ? { BARE_REDIS_URL: opts.redisUrl } : { BARE_BROKERS: opts.brokers.join(','), BARE_MARKER: opts.marker ? '1' : '0' }),
    };
    await admin?.createTopics({ topics, partitions: 1, replicas: 1 });
    for (const role of ['invoker', 'api']) children.push(await startNode(SCRIPTS[opts.queue], role, env));
    const http = new Pool(`http://127.0.0.1:${port}`, { connections: 1, pipelining: 1 });
    try {
      const call = async () => {
        const res = await http.request({ method: 'POST', path: '/', body: '{}', signal: AbortSignal.timeout(30_000) });
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
    if (opts.queue === 'bullmq') {
      const q = new Queue(queue, { connection: { url: opts.redisUrl } });
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
    await admin?.deleteTopics({ topics }).catch(() => {});
    await admin?.close();
  }
}

/** Starts `script` as its own process in `role` and waits for its `ready` line. */
export function startNode(script: string, role: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, role], { env, stdio: ['ignore', 'pipe', 'inherit'] });
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
