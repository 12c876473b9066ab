/**
 * One process of the bare throughput chain (bare-throughput.ts): `api` or `invoker`, chosen by argv[2]. The shape of
 * Whirl's non-blocking path with every record stored, done the plain way with raw libraries and no Whirl code:
 *
 * - api: an HTTP server; each POST adds a BullMQ job (finished jobs kept as Whirl keeps them) and answers 202.
 * - invoker: a BullMQ Worker (concurrency 64) that runs each job's `/run` on one of the warm containers (one run at a
 *   time per container, as a concurrency-1 action), puts a record in a batch written to the CouchDB-protocol server
 *   with `_bulk_docs` every 50 ms, and finishes the job once its record is stored.
 *
 * Env: BARE_REDIS_URL, BARE_QUEUE; api: BARE_PORT; invoker: BARE_CONTAINER_IPS (comma-separated), BARE_COUCH_DB
 * (the database URL). Prints `ready` when listening.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Queue, Worker } from 'bullmq';
import { containerRunner, runRole } from './bare-run.js';

const redisUrl = process.env.BARE_REDIS_URL!;
const queueName = process.env.BARE_QUEUE!;
const KEPT = { removeOnComplete: { age: 3600, count: 10_000 } };
const BATCH_MS = 50;

async function api(): Promise<void> {
  const queue = new Queue(queueName, { connection: { url: redisUrl } });
  await queue.waitUntilReady();
  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = randomUUID().replace(/-/g, '');
      const params = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      queue.add('a', { params }, { jobId: id, ...KEPT }).then(
        () => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ activationId: id })),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
  });
  server.listen(Number(process.env.BARE_PORT), '127.0.0.1', () => console.log('ready'));
}

async function invoker(): Promise<void> {
  const containers = process.env.BARE_CONTAINER_IPS!.split(',').map((ip) => ({ run: containerRunner(ip), busy: false }));
  const waiting: Array<() => void> = [];
  const withContainer = async <T>(fn: (run: (p: unknown) => Promise<string>) => Promise<T>): Promise<T> => {
    let c = containers.find((x) => !x.busy);
    while (!c) {
      await new Promise<void>((resolve) => waiting.push(resolve));
      c = containers.find((x) => !x.busy);
    }
    c.busy = true;
    try {
      return await fn(c.run);
    } finally {
      c.busy = false;
      waiting.shift()?.();
    }
  };
  let batch: Array<{ doc: object; stored: () => void }> = [];
  const flush = async () => {
    const docs = batch;
    batch = [];
    if (docs.length === 0) return;
    const res = await fetch(`${process.env.BARE_COUCH_DB}/_bulk_docs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ docs: docs.map((d) => d.doc) }),
    });
    await res.text();
    for (const d of docs) d.stored();
  };
  setInterval(() => void flush(), BATCH_MS);
  const worker = new Worker(
    queueName,
    async (job) => {
      const start = Date.now();
      const result = await withContainer((run) => run((job.data as { params: unknown }).params));
      await new Promise<void>((stored) =>
        batch.push({ doc: { _id: `guest/${job.id}`, start, end: Date.now(), response: { result: JSON.parse(result) } }, stored }),
      );
    },
    { connection: { url: redisUrl, maxRetriesPerRequest: null }, concurrency: 64 },
  );
  await worker.waitUntilReady();
  console.log('ready');
}

runRole({ api, invoker });
