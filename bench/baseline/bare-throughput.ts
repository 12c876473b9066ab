import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Pool } from 'undici';
import { leanPost } from '../lib/lean-post.js';
import { freePort } from '../../test/helpers/whirl-process.js';
import { type RawContainer, startRawContainer } from '../invoke/raw-container.js';
import { pool } from '../lib/stats.js';
import { startNode } from './bare-chain.js';

const SCRIPT = fileURLToPath(new URL('./bare-throughput-node.ts', import.meta.url));

export interface BareThroughputOptions {
  redisUrl: string;
  couchUrl: string;
  socketPath: string;
  image: string;
  /** Requests, and concurrent clients. */
  n: number;
  clients: number;
  /** Warm containers of the action (Whirl's pool holds as many as the host has CPUs when the host is saturated). */
  containers: number;
}

/**
 * Baseline: the shape of Whirl's non-blocking path with every record stored, with nothing of Whirl on it
 * (bare-throughput-node.ts): HTTP → BullMQ → worker → `/run` → records in `_bulk_docs` batches → job finished.
 * Returns activations per second, timed from the first request to the last record stored (as bench/invoke times
 * Whirl).
 */
export async function bareThroughput(opts: BareThroughputOptions): Promise<{ perSecond: number; acceptedPerSecond: number }> {
  const queue = `whirl-bench-bare-tp-${randomUUID()}`;
  const db = `${opts.couchUrl.replace(/\/$/, '')}/whirl_bench_bare_${process.pid}_${Date.now()}`;
  const containers: RawContainer[] = [];
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < opts.containers; i++) {
      containers.push(await startRawContainer({ ...opts, name: `whirl-bench-bare-tp-${process.pid}-${i}` }));
    }
    if (!(await fetch(db, { method: 'PUT' })).ok) throw new Error(`could not create ${db}`);
    const port = await freePort();
    const env = {
      ...process.env,
      BARE_REDIS_URL: opts.redisUrl,
      BARE_QUEUE: queue,
      BARE_PORT: String(port),
      BARE_CONTAINER_IPS: containers.map((c) => c.ip).join(','),
      BARE_COUCH_DB: db,
    };
    for (const role of ['invoker', 'api']) children.push(await startNode(SCRIPT, role, env));
    const http = new Pool(`http://127.0.0.1:${port}`, { connections: opts.clients, pipelining: 1 });
    const stored = async () => ((await (await fetch(db)).json()) as { doc_count: number }).doc_count;
    try {
      const post = async () => {
        const status = await leanPost(http, '/', JSON_HEADERS, '{}');
        if (status !== 202) throw new Error(`bare api answered ${status}`);
      };
      await pool(200, opts.clients, post); // warm-up
      while ((await stored()) < 200) await new Promise((r) => setTimeout(r, 50));
      const before = await stored();
      const t0 = performance.now();
      await pool(opts.n, opts.clients, post);
      const accepted = performance.now() - t0;
      while ((await stored()) - before < opts.n && performance.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 50));
      const total = performance.now() - t0;
      return { perSecond: ((await stored()) - before) / (total / 1000), acceptedPerSecond: opts.n / (accepted / 1000) };
    } finally {
      await http.close();
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    for (const c of containers) await c.stop();
    await fetch(db, { method: 'DELETE' }).catch(() => {});
    const q = new Queue(queue, { connection: { url: opts.redisUrl } });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };
