/**
 * One process of the bare chain (bare-chain.ts): `api` or `invoker`, chosen by argv[2]. Only raw libraries — node:http,
 * BullMQ, ioredis — and no Whirl code, so the chain measures what the hops themselves cost on this host.
 *
 * - api: an HTTP server; each POST adds a BullMQ job and answers when its completion arrives on a Redis channel.
 * - invoker: a BullMQ Worker whose processor POSTs `/run` to the warm container and PUBLISHes the result.
 *
 * Env: BARE_REDIS_URL, BARE_QUEUE; api: BARE_PORT; invoker: BARE_CONTAINER_IP. Prints `ready` when listening.
 * Experiment knobs (defaults: the plainest chain): BARE_CONCURRENCY (worker concurrency, default 1), BARE_HOLD_MS
 * (how long a job stays active after its result is published, default 0; Whirl finishes a job only once its record
 * is stored, ~50 ms later).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { containerRunner, runRole } from './bare-run.js';

const redisUrl = process.env.BARE_REDIS_URL!;
const queueName = process.env.BARE_QUEUE!;
const channel = `${queueName}:done`;

async function api(): Promise<void> {
  const queue = new Queue(queueName, { connection: { url: redisUrl } });
  const sub = new Redis(redisUrl);
  const waiters = new Map<string, (body: string) => void>();
  await sub.subscribe(channel);
  sub.on('message', (_ch: string, raw: string) => {
    const { id, result } = JSON.parse(raw) as { id: string; result: unknown };
    waiters.get(id)?.(JSON.stringify(result));
  });
  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = randomUUID().replace(/-/g, '');
      waiters.set(id, (body) => {
        waiters.delete(id);
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
      const params = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      queue.add('a', { params }, { jobId: id, removeOnComplete: true }).catch((err: unknown) => {
        waiters.delete(id);
        res.writeHead(500).end(String(err));
      });
    });
  });
  await queue.waitUntilReady();
  server.listen(Number(process.env.BARE_PORT), '127.0.0.1', () => console.log('ready'));
}

async function invoker(): Promise<void> {
  const pub = new Redis(redisUrl);
  const run = containerRunner(process.env.BARE_CONTAINER_IP!);
  const worker = new Worker(
    queueName,
    async (job) => {
      const result = JSON.parse(await run((job.data as { params: unknown }).params)) as unknown;
      await pub.publish(channel, JSON.stringify({ id: job.id, result }));
      const hold = Number(process.env.BARE_HOLD_MS ?? 0);
      if (hold > 0) await new Promise((r) => setTimeout(r, hold));
    },
    { connection: { url: redisUrl, maxRetriesPerRequest: null }, concurrency: Number(process.env.BARE_CONCURRENCY ?? 1) },
  );
  await worker.waitUntilReady();
  console.log('ready');
}

runRole({ api, invoker });
