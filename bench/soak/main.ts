/**
 * bench/soak — a mixed load held for minutes against a two-process Whirl (one API process, one invoker process) on
 * the production adapters (BullMQ on Redis, CouchDB-protocol store, Docker containers), on loopback.
 *
 *   WHIRL_TEST_REDIS_URL=… WHIRL_TEST_COUCHDB_URL=… WHIRL_TEST_DOCKER_SOCKET=… npx tsx bench/soak/main.ts \
 *     [--minutes 5] [--concurrency 8] [--window-s 15]
 *
 * Load, picked at random per request by `concurrency` closed-loop clients (each waits for its answer before the next
 * request): blocking invokes (40 %), non-blocking invokes (25 %), blocking composition runs (15 %, two tasks each) and
 * signed webhook fires (20 %, trigger → rule → action). Every `window-s` it prints throughput, latency percentiles,
 * errors and the RSS of each Whirl process. V8 heap in use is read every second from each process's `/metrics`; a
 * window reports its minimum, which tracks the heap after collections (a leak raises it; garbage between collections
 * does not). At the end it checks that every accepted non-blocking activation got its record, and prints a verdict:
 * memory flat (RSS and minimum heap of each process in the last window within 25 % + 20 MB of the lowest reading in
 * the first half, warm-up window excluded) and no error growth (no more errors in the second half than in the first).
 * Prints, never asserts: benchmarks are not tests.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { bullmqRoundTrip } from '../baseline/bullmq-roundtrip.js';
import { fmt, percentile } from '../lib/stats.js';
import { freePort, GUEST_KEY, startWhirlProcess, type WhirlProcess } from '../../test/helpers/whirl-process.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '8' },
    'window-s': { type: 'string', default: '15' },
    /** Docker network for the action containers; default: a bridge network of this run's own, removed at the end. */
    network: { type: 'string' },
  },
});
const durationMs = Number(args.minutes) * 60_000;
const windowMs = Number(args['window-s']) * 1000;
const concurrency = Number(args.concurrency);
const SECRET = `soak-${randomUUID()}`;
/** A request unanswered this long counts as an error in its window (a stall shows up, rather than freezing a client). */
const REQUEST_TIMEOUT_MS = 30_000;
const AUTH = `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`;

type Op = 'invoke' | 'async' | 'composition' | 'webhook';
const MIX: Array<[Op, number]> = [
  ['invoke', 0.4],
  ['async', 0.25],
  ['composition', 0.15],
  ['webhook', 0.2],
];

/** [api, invoker] in MB. */
interface Memory {
  rss: [number, number];
  heap: [number, number];
  /** Memory outside the V8 heap that V8 tracks (Buffers, array buffers): where a Buffer leak would show. */
  external: [number, number];
}

interface Window {
  latencies: Record<Op, number[]>;
  errors: number;
  errorSamples: string[];
  /** Heap in use sampled every second, [api, invoker]: a window's minimum approximates the heap after collection. */
  heapSamples: [number[], number[]];
  externalSamples: [number[], number[]];
}
const newWindow = (): Window => ({
  latencies: { invoke: [], async: [], composition: [], webhook: [] },
  errors: 0,
  errorSamples: [],
  heapSamples: [[], []],
  externalSamples: [[], []],
});

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (see the header of this file)`);
  return v;
}

/** Resident set size of a process in MB (Linux `ps`). */
function rssMB(p: WhirlProcess): number {
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(p.child.pid)]).toString().trim()) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** V8 heap in use and external memory in MB, from the process's own `/metrics` (prom-client's default metrics). */
async function runtimeMB(metricsUrl: string): Promise<{ heap: number; external: number }> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const read = (name: string) => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) / 1048576 : Number.NaN;
    };
    return { heap: read('whirl_nodejs_heap_size_used_bytes'), external: read('whirl_nodejs_external_memory_bytes') };
  } catch {
    return { heap: Number.NaN, external: Number.NaN };
  }
}

function pick(): Op {
  let r = Math.random();
  for (const [op, w] of MIX) {
    if ((r -= w) < 0) return op;
  }
  return 'invoke';
}

async function main(): Promise<void> {
  console.log(`bench/soak — ${new Date().toISOString()} — node ${process.version} — ${args.minutes} min, ${concurrency} clients`);
  const redisUrl = need('WHIRL_TEST_REDIS_URL');
  const bull = await bullmqRoundTrip({ redisUrl, n: 200, concurrency: 1 });
  console.log(`[baseline] raw BullMQ add→finished (same run): p50 ${fmt(bull.p50)} ms  p99 ${fmt(bull.p99)} ms`);
  const tag = `${process.pid}`;
  const shared = {
    WHIRL_QUEUE: 'bullmq',
    WHIRL_REDIS_URL: redisUrl,
    WHIRL_QUEUE_NAME: `whirl-bench-soak-${tag}`,
    WHIRL_STORE: 'couchdb',
    WHIRL_COUCHDB_URL: need('WHIRL_TEST_COUCHDB_URL'),
    WHIRL_COUCHDB_PREFIX: `whirl_bench_soak_${tag}_`,
    WHIRL_CONTAINERS: 'docker',
    WHIRL_DOCKER_SOCKET: need('WHIRL_TEST_DOCKER_SOCKET'),
    WHIRL_NODEJS_IMAGE: process.env.WHIRL_TEST_NODEJS_IMAGE ?? 'whirl/runtime-nodejs:20',
    WHIRL_PREWARM: '',
  };
  const docker = new Docker({ socketPath: shared.WHIRL_DOCKER_SOCKET });
  const ownNetwork = args.network ? undefined : await docker.createNetwork({ Name: `whirl-bench-soak-${tag}`, Driver: 'bridge' });
  Object.assign(shared, { WHIRL_CONTAINER_NETWORK: args.network ?? `whirl-bench-soak-${tag}` });
  const api = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'api' });
  const invokerMetricsPort = await freePort();
  const invoker = await startWhirlProcess({
    ...shared,
    WHIRL_ROLE: 'invoker',
    WHIRL_INVOKER_ID: `soak${tag}`,
    WHIRL_METRICS_PORT: String(invokerMetricsPort),
  });
  const heapUrls = [`${api.url}/metrics`, `http://127.0.0.1:${invokerMetricsPort}/metrics`] as const;
  const sampleHeap = async (w: Window) => {
    for (const i of [0, 1] as const) {
      const mb = await runtimeMB(heapUrls[i]);
      if (Number.isFinite(mb.heap)) w.heapSamples[i].push(mb.heap);
      if (Number.isFinite(mb.external)) w.externalSamples[i].push(mb.external);
    }
  };
  const memory = (w: Window): Memory => ({
    rss: [rssMB(api), rssMB(invoker)],
    heap: [Math.min(...w.heapSamples[0]), Math.min(...w.heapSamples[1])],
    external: [Math.min(...w.externalSamples[0]), Math.min(...w.externalSamples[1])],
  });
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  try {
    const ns = '/api/v1/namespaces/_';
    await ok('PUT', `${ns}/actions/work?overwrite=true`, {
      exec: { kind: 'nodejs:default', code: `function main(p) { return { n: (p.n || 0) + 1, at: Date.now() }; }` },
      limits: { concurrency: 8 },
    });
    await ok('PUT', `${ns}/compositions/pair?overwrite=true`, {
      definition: { whirl: '1', root: { type: 'sequence', steps: [{ type: 'task', action: 'work' }, { type: 'task', action: 'work' }] } },
    });
    await ok('PUT', `${ns}/triggers/hook?overwrite=true`, { annotations: [{ key: 'webhook', value: { type: 'hmac', secret: SECRET } }] });
    await ok('PUT', `${ns}/rules/hook-work?overwrite=true`, { trigger: '/_/hook', action: '/_/work' });
    await ok('POST', `${ns}/actions/work?blocking=true`, { n: 0 }); // a warm container before the clock starts

    const accepted: string[] = [];
    const ops: Record<Op, () => Promise<void>> = {
      async invoke() {
        const r = await call('POST', `${ns}/actions/work?blocking=true&result=true`, { n: 1 });
        if (r.status !== 200 || r.json?.n !== 2) throw new Error(`invoke ${r.status} ${JSON.stringify(r.json)}`);
      },
      async async() {
        const r = await call('POST', `${ns}/actions/work`, { n: 1 });
        if (r.status !== 202) throw new Error(`async invoke ${r.status} ${JSON.stringify(r.json)}`);
        accepted.push(r.json.activationId);
      },
      async composition() {
        const r = await call('POST', `${ns}/compositions/pair?blocking=true&result=true`, { n: 0 });
        if (r.status !== 200 || r.json?.n !== 2) throw new Error(`composition ${r.status} ${JSON.stringify(r.json)}`);
      },
      async webhook() {
        const body = JSON.stringify({ n: 5 });
        const res = await fetch(`${api.url}/api/v1/webhooks/guest/hook`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-webhook-id': randomUUID(),
            'x-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
          },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await res.text();
        if (res.status !== 202) throw new Error(`webhook ${res.status}`);
      },
    };

    let current = newWindow();
    const windows: Array<{ w: Window; mem: Memory }> = [];
    const start = performance.now();
    // A second past the last tick, so the last full window is reported; the partial one after it is dropped.
    const stopAt = start + durationMs + 1000;
    const client = async () => {
      while (performance.now() < stopAt) {
        const op = pick();
        const t0 = performance.now();
        const w = current;
        try {
          await ops[op]();
          w.latencies[op].push(performance.now() - t0);
        } catch (e) {
          w.errors++;
          if (w.errorSamples.length < 3) w.errorSamples.push(String(e).slice(0, 200));
        }
      }
    };
    const fmtRow = (i: number, w: Window, mem: Memory) => {
      const all = Object.values(w.latencies).flat();
      const per = (op: Op) => `${op} ${w.latencies[op].length}/${fmt(percentile(w.latencies[op], 50))}/${fmt(percentile(w.latencies[op], 99))}`;
      return (
        `${String(((i + 1) * windowMs) / 1000).padStart(4)} s  ${(all.length / (windowMs / 1000)).toFixed(1).padStart(6)} req/s  ` +
        `p50 ${fmt(percentile(all, 50))}  p95 ${fmt(percentile(all, 95))}  p99 ${fmt(percentile(all, 99))} ms  ` +
        `errors ${w.errors}  RSS api ${mem.rss[0].toFixed(0)} invoker ${mem.rss[1].toFixed(0)} MB  heap(min) api ${mem.heap[0].toFixed(0)} invoker ${mem.heap[1].toFixed(0)} MB  external(min) api ${mem.external[0].toFixed(0)} invoker ${mem.external[1].toFixed(0)} MB  [${(['invoke', 'async', 'composition', 'webhook'] as Op[]).map(per).join(', ')}]`
      );
    };
    console.log(`\n[whirl] mixed load; per window: n/p50/p99 ms per kind`);
    const sampler = setInterval(() => void sampleHeap(current), 1000);
    const ticker = setInterval(() => {
      const w = current;
      current = newWindow();
      const mem = memory(w);
      windows.push({ w, mem });
      console.log(fmtRow(windows.length - 1, w, mem));
      for (const s of w.errorSamples) console.log(`        error: ${s}`);
    }, windowMs);
    await Promise.all(Array.from({ length: concurrency }, client));
    clearInterval(ticker);
    clearInterval(sampler);

    // Every accepted non-blocking activation must end with a record. Asked of the store in bulk (`_all_docs` with
    // keys), since one GET per activation through the API cannot get through a long run's tens of thousands in time.
    const [namespace] = (await call('GET', '/api/v1/namespaces')).json as string[];
    const db = `${need('WHIRL_TEST_COUCHDB_URL').replace(/\/$/, '')}/${shared.WHIRL_COUCHDB_PREFIX}activations`;
    const missing = new Set(accepted);
    const until = Date.now() + 60_000;
    while (missing.size > 0 && Date.now() < until) {
      const ids = [...missing];
      for (let i = 0; i < ids.length; i += 1000) {
        const keys = ids.slice(i, i + 1000).map((id) => `${namespace}/${id}`);
        const res = await fetch(`${db}/_all_docs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys }) });
        const rows = ((await res.json()) as { rows?: Array<{ key: string; id?: string; value?: { deleted?: boolean } }> }).rows ?? [];
        for (const row of rows) if (row.id && !row.value?.deleted) missing.delete(row.key.slice(namespace!.length + 1));
      }
      if (missing.size > 0) await new Promise((r) => setTimeout(r, 500));
    }
    verdict(windows, accepted.length, missing.size);
  } finally {
    await invoker.stop();
    await api.stop();
    // Containers the invoker could not remove itself (Docker restarted under it), then the network.
    const left = await docker.listContainers({ all: true, filters: { name: [`whirl-soak${tag}-`] } }).catch(() => []);
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    await ownNetwork?.remove().catch(() => undefined);
  }
}

function verdict(windows: Array<{ w: Window; mem: Memory }>, accepted: number, missing: number): void {
  if (windows.length < 3) {
    console.log(`\nVERDICT: too short (${windows.length} windows) to judge`);
    return;
  }
  // The reference is the lowest reading of the first half, window 0 excluded (warm-up: JIT, pools, containers), so
  // one high early sample cannot hide growth.
  const half = Math.floor(windows.length / 2);
  const early = windows.slice(1, Math.max(2, half));
  const low = (pick: (m: Memory) => [number, number], i: 0 | 1) => Math.min(...early.map((x) => pick(x.mem)[i]));
  const first: { mem: Memory } = {
    mem: {
      rss: [low((m) => m.rss, 0), low((m) => m.rss, 1)],
      heap: [low((m) => m.heap, 0), low((m) => m.heap, 1)],
      external: [low((m) => m.external, 0), low((m) => m.external, 1)],
    },
  };
  const last = windows[windows.length - 1]!;
  // Flat: RSS within 25 % + 20 MB, and the window's lowest heap in use (≈ after a collection) and external memory
  // within 25 % + 20 MB.
  const within = (now: number, ref: number) => !(now > ref * 1.25 + 20);
  const runtimeFlat = [0, 1].every((i) => within(last.mem.heap[i]!, first.mem.heap[i]!) && within(last.mem.external[i]!, first.mem.external[i]!));
  const flat = runtimeFlat && [0, 1].every((i) => within(last.mem.rss[i]!, first.mem.rss[i]!));
  const errs = (ws: typeof windows) => ws.reduce((s, x) => s + x.w.errors, 0);
  const firstErrors = errs(windows.slice(0, half));
  const secondErrors = errs(windows.slice(half));
  const total = windows.reduce((s, x) => s + Object.values(x.w.latencies).flat().length, 0);
  const noGrowth = secondErrors <= firstErrors;
  console.log(
    `\nsummary: ${total} requests ok, ${firstErrors + secondErrors} errors (first half ${firstErrors}, second half ${secondErrors}); ` +
      `${accepted} non-blocking accepted, ${missing} without a record after 60 s; RSS api ${first.mem.rss[0].toFixed(0)} → ${last.mem.rss[0].toFixed(0)} MB, ` +
      `invoker ${first.mem.rss[1].toFixed(0)} → ${last.mem.rss[1].toFixed(0)} MB; heap(min) api ${first.mem.heap[0].toFixed(0)} → ` +
      `${last.mem.heap[0].toFixed(0)} MB, invoker ${first.mem.heap[1].toFixed(0)} → ${last.mem.heap[1].toFixed(0)} MB; external(min) api ` +
      `${first.mem.external[0].toFixed(0)} → ${last.mem.external[0].toFixed(0)} MB, invoker ${first.mem.external[1].toFixed(0)} → ` +
      `${last.mem.external[1].toFixed(0)} MB`,
  );
  if (runtimeFlat && !flat) {
    console.log('note: RSS grew while the V8 heap and external memory stayed flat: native allocator growth, not a JS or Buffer leak — run longer to see whether it levels off');
  }
  const pass = flat && noGrowth && missing === 0;
  console.log(`VERDICT: ${pass ? 'PASS' : 'FAIL'} — memory ${flat ? 'flat' : 'GROWING'}, errors ${noGrowth ? 'not growing' : 'GROWING'}, records ${missing === 0 ? 'complete' : `${missing} MISSING`}`);
}

await main();
