/**
 * bench/pool — the invoker pool's three targets (issue 3), each beside a baseline measured in the same run:
 *
 *   1. first invoke of a never-seen nodejs action served by a prewarmed stem cell, vs a warm invoke (≤ 15 ms over)
 *   2. 100 distinct actions round robin, vs one action: sustained blocking throughput (≥ 25 %)
 *   3. an invoke that resumes a paused container, vs a warm one (≤ 30 ms over), and no pause inside the grace
 *
 *   WHIRL_TEST_REDIS_URL=… WHIRL_TEST_COUCHDB_URL=… WHIRL_TEST_DOCKER_SOCKET=… npx tsx bench/pool/main.ts \
 *     [--actions 100] [--seconds 4] [--clients 16] [--n 10] [--containers docker|process] [--only prewarm,pause]
 *
 * In-process Whirl (BullMQ + CouchDB protocol + Docker by default) so the pool's counters can be read. Prints,
 * never asserts: benchmarks are not tests.
 */
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { fmt, percentile } from '../lib/stats.js';
import { startBenchWhirl as startTestWhirlFull, type BenchWhirl as TestWhirl } from './in-process-whirl.js';

const { values: args } = parseArgs({
  options: {
    actions: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '4' },
    clients: { type: 'string', default: '16' },
    n: { type: 'string', default: '10' },
    containers: { type: 'string', default: 'docker' },
    /** Comma-separated subset of `prewarm,pause,round-robin` (the round robin is the long one: ~60 s). */
    only: { type: 'string', default: 'prewarm,pause,round-robin' },
  },
});
const only = new Set(args.only.split(','));
const ACTIONS = Number(args.actions);
const SECONDS = Number(args.seconds);
const CLIENTS = Number(args.clients);
const N = Number(args.n);
const mode: Record<string, string> = args.containers === 'process' ? { WHIRL_CONTAINERS: 'process' } : {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CODE = `function main(p) { return { ok: true }; }`;

async function put(w: TestWhirl, name: string, memory = 256): Promise<void> {
  const r = await w.api('PUT', `/api/v1/namespaces/_/actions/${name}?overwrite=true`, {
    exec: { kind: 'nodejs:default', code: CODE },
    limits: { memory },
  });
  if (r.status !== 200) throw new Error(`PUT ${name}: ${r.status} ${JSON.stringify(r.body)}`);
}

async function invoke(w: TestWhirl, name: string): Promise<number> {
  const t = performance.now();
  const r = await w.api('POST', `/api/v1/namespaces/_/actions/${name}?blocking=true&result=true`, {});
  if (r.status !== 200) throw new Error(`invoke ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return performance.now() - t;
}

async function warmSamples(w: TestWhirl, name: string, n: number): Promise<number[]> {
  await invoke(w, name);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await invoke(w, name));
  return out;
}

async function prewarmTarget(): Promise<void> {
  console.log('\n[1] first invoke of a never-seen action: prewarmed stem cell vs warm');
  const w = await startTestWhirlFull({ ...mode, WHIRL_PREWARM: 'nodejs:default@256=2', WHIRL_INVOKER_MEMORY_MB: '8192' });
  try {
    const pool = () => w.handle.invoker!.pool.stats();
    await put(w, 'warm');
    const warm = await warmSamples(w, 'warm', N * 3);
    const stem: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < N; i++) {
      for (let t = 0; t < 200 && pool().prewarmed < 2; t++) await sleep(25); // replenished
      await sleep(50);
      await put(w, `fresh${i}`);
      const before = pool().counters.prewarmed;
      stem.push(await invoke(w, `fresh${i}`));
      if (pool().counters.prewarmed !== before + 1) console.log('  (a fresh invoke missed the stem cells)');
      await put(w, `cold${i}`, 320); // no stem cell of this memory: a full cold start, for context
      cold.push(await invoke(w, `cold${i}`));
    }
    const [wp, sp, cp] = [percentile(warm, 50), percentile(stem, 50), percentile(cold, 50)];
    console.log(`  baseline warm invoke          p50 ${fmt(wp)} ms  (n=${warm.length})`);
    console.log(`  prewarmed first invoke        p50 ${fmt(sp)} ms  (n=${stem.length})  → +${fmt(sp - wp)} ms over warm (target ≤ 15)`);
    console.log(`  context: cold, no stem cell   p50 ${fmt(cp)} ms`);
  } finally {
    await w.stop();
  }
}

/** Blocking invokes from `CLIENTS` loops for SECONDS; `pick(i)` names the action of the i-th request. */
async function throughput(w: TestWhirl, pick: (i: number) => string): Promise<number> {
  let next = 0;
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        await invoke(w, pick(next++));
        done++;
      }
    }),
  );
  return done / SECONDS;
}

async function roundRobinTarget(): Promise<void> {
  console.log(`\n[2] ${ACTIONS} distinct actions round robin vs one action (${CLIENTS} clients, ${SECONDS} s each)`);
  const budget = String(Math.max(4096, (ACTIONS + CLIENTS) * 256));
  const w = await startTestWhirlFull({ ...mode, WHIRL_PREWARM: '', WHIRL_INVOKER_MEMORY_MB: budget });
  try {
    await put(w, 'single');
    await throughput(w, () => 'single'); // warm-up: the containers the single action needs
    const single = await throughput(w, () => 'single');
    for (let i = 0; i < ACTIONS; i++) await put(w, `rr${i}`);
    const t0 = performance.now();
    let k = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (k < ACTIONS) await invoke(w, `rr${k++}`);
    }));
    console.log(`  (warm-up of ${ACTIONS} containers: ${fmt((performance.now() - t0) / 1000)} s, not measured)`);
    const many = await throughput(w, (i) => `rr${i % ACTIONS}`);
    const s = w.handle.invoker!.pool.stats();
    console.log(`  baseline one action           ${Math.round(single)} invokes/s`);
    console.log(`  ${ACTIONS} actions round robin      ${Math.round(many)} invokes/s  → ${Math.round((100 * many) / single)} % of one action (target ≥ 25 %)`);
    console.log(`  pool: ${s.containers} containers, counters ${JSON.stringify(s.counters)}`);
  } finally {
    await w.stop();
  }
}

async function pauseTarget(): Promise<void> {
  const grace = 300;
  console.log(`\n[3] reuse of a paused container (pause grace ${grace} ms) vs warm`);
  const w = await startTestWhirlFull({ ...mode, WHIRL_PREWARM: '', WHIRL_PAUSE_GRACE_MS: String(grace) });
  try {
    const pool = () => w.handle.invoker!.pool.stats();
    await put(w, 'p');
    await invoke(w, 'p');
    const warm: number[] = [];
    const before = pool().counters;
    for (let i = 0; i < N * 3; i++) warm.push(await invoke(w, 'p'));
    const within = pool().counters;
    const resumed: number[] = [];
    for (let i = 0; i < N; i++) {
      await sleep(grace + 300);
      for (let t = 0; t < 100 && pool().paused === 0; t++) await sleep(20);
      resumed.push(await invoke(w, 'p'));
    }
    const after = pool().counters;
    const [wp, rp] = [percentile(warm, 50), percentile(resumed, 50)];
    console.log(`  baseline warm invoke          p50 ${fmt(wp)} ms  (pauses inside the grace: ${within.paused - before.paused})`);
    console.log(`  invoke after pause (resume)   p50 ${fmt(rp)} ms  → +${fmt(rp - wp)} ms over warm (target ≤ 30); resumes ${after.resumed - within.resumed}/${N}`);
    if (!args.containers || args.containers === 'docker') await rawPauseBaseline();
  } finally {
    await w.stop();
  }
}

/** Bare `docker pause` + `docker unpause` of an idle runtime container, through the same socket. */
async function rawPauseBaseline(): Promise<void> {
  const docker = new Docker({ socketPath: process.env.WHIRL_TEST_DOCKER_SOCKET ?? '/var/run/docker.sock' });
  const c = await docker.createContainer({ Image: process.env.WHIRL_TEST_NODEJS_IMAGE ?? 'whirl/runtime-nodejs:20', name: `whirl-bench-pause-${process.pid}` });
  try {
    await c.start();
    await sleep(500); // let the runtime settle: a pause racing the start can leave it unpausable
    const samples: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await c.pause();
      await c.unpause();
      samples.push(performance.now() - t);
    }
    console.log(`  baseline raw pause+unpause    p50 ${fmt(percentile(samples, 50))} ms (dockerode, no activation)`);
  } finally {
    await c.remove({ force: true });
  }
}

async function main(): Promise<void> {
  console.log(`bench/pool — ${new Date().toISOString()} — node ${process.version} — containers: ${args.containers}`);
  if (only.has('prewarm')) await prewarmTarget();
  if (only.has('pause')) await pauseTarget();
  if (only.has('round-robin')) await roundRobinTarget();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
