/**
 * bench/compose — the composition engine against bare baselines measured in the same run.
 *
 *   WHIRL_TEST_REDIS_URL=… WHIRL_TEST_COUCHDB_URL=… WHIRL_TEST_DOCKER_SOCKET=… npx tsx bench/compose/main.ts \
 *     [--steps 40] [--work-ms 10] [--work sleep|spin] [--runs 5] [--parked 10000] [--park-ms 5000]
 *
 * 1. A sequential composition of `steps` tasks, each ~`work-ms` of work, end to end through the full production
 *    path (API → BullMQ → invoker → Docker → CouchDB records), blocking invoke; per-step overhead beside the raw
 *    BullMQ add→finished round trip measured in this run.
 * 2. `parked` executions parked in a wait at once: heap per execution and resume lateness.
 * Prints, never asserts: benchmarks are not tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { bullmqRoundTrip } from '../baseline/bullmq-roundtrip.js';
import { fmt, percentile } from '../lib/stats.js';
import { GUEST_KEY, startWhirlProcess } from '../../test/helpers/whirl-process.js';
import { rawContainerRun } from '../invoke/raw-container.js';
import { parkedWaits } from './parked-waits.js';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '40' },
    'work-ms': { type: 'string', default: '10' },
    /** `sleep`: the action waits on a timer (fires late on a busy or virtualised host); `spin`: it computes. */
    work: { type: 'string', default: 'sleep' },
    runs: { type: 'string', default: '5' },
    parked: { type: 'string', default: '10000' },
    'park-ms': { type: 'string', default: '5000' },
    'skip-docker': { type: 'boolean', default: false },
    /** Swap adapters to see where time goes (defaults: the production path). */
    store: { type: 'string', default: 'couchdb' },
    containers: { type: 'string', default: 'docker' },
    'skip-parked': { type: 'boolean', default: false },
  },
});
const steps = Number(args.steps);
const workMs = Number(args['work-ms']);
const runs = Number(args.runs);

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (see the header of this file)`);
  return v;
}

async function sequential(): Promise<void> {
  const redisUrl = need('WHIRL_TEST_REDIS_URL');
  const bull = await bullmqRoundTrip({ redisUrl, n: 200, concurrency: 1 });
  console.log(`\n[baseline] raw BullMQ add→finished: p50 ${fmt(bull.p50)} ms  p99 ${fmt(bull.p99)} ms`);
  const idle = await bullmqRoundTrip({ redisUrl, n: 100, concurrency: 1, idleMs: workMs });
  console.log(`[baseline] raw BullMQ add→finished after ${workMs} ms idle (as between steps): p50 ${fmt(idle.p50)} ms  p99 ${fmt(idle.p99)} ms`);
  const code =
    args.work === 'spin'
      ? `function main(p) { const end = performance.now() + ${workMs}; while (performance.now() < end); return { n: (p.n || 0) + 1 }; }`
      : `function main(p) { return new Promise((r) => setTimeout(() => r({ n: (p.n || 0) + 1 }), ${workMs})); }`;
  const image = process.env.WHIRL_TEST_NODEJS_IMAGE ?? 'whirl/runtime-nodejs:20';
  let rawStep = Number.NaN;
  if (args.containers === 'docker') {
    // The same action called directly in a warm container: the part of a step no engine can remove (the work plus
    // the runtime and the timer's lateness on this host).
    rawStep = percentile(await rawContainerRun({ socketPath: need('WHIRL_TEST_DOCKER_SOCKET'), image, n: 100, code }), 50);
    console.log(`[baseline] the step's action by raw HTTP /run to a warm container: p50 ${fmt(rawStep)} ms → ${steps} steps ≥ ${fmt(steps * rawStep)} ms`);
  }
  const env = {
    WHIRL_QUEUE: 'bullmq',
    WHIRL_REDIS_URL: redisUrl,
    WHIRL_QUEUE_NAME: `whirl-bench-compose-${process.pid}`,
    WHIRL_STORE: args.store ?? 'couchdb',
    WHIRL_COUCHDB_URL: need('WHIRL_TEST_COUCHDB_URL'),
    WHIRL_COUCHDB_PREFIX: `whirl_bench_compose_${process.pid}_`,
    WHIRL_CONTAINERS: args.containers ?? 'docker',
    WHIRL_DOCKER_SOCKET: need('WHIRL_TEST_DOCKER_SOCKET'),
    WHIRL_NODEJS_IMAGE: process.env.WHIRL_TEST_NODEJS_IMAGE ?? 'whirl/runtime-nodejs:20',
    WHIRL_INVOKER_ID: `benchc${process.pid}`,
  };
  const whirl = await startWhirlProcess(env);
  const auth = `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${whirl.url}/api/v1/namespaces/_${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    await call('PUT', '/actions/work?overwrite=true', { exec: { kind: 'nodejs:default', code } });
    const definition = { whirl: '1', root: { type: 'sequence', steps: Array.from({ length: steps }, () => ({ type: 'task', action: 'work' })) } };
    await call('PUT', '/compositions/chain?overwrite=true', { definition });
    await call('POST', '/compositions/chain?blocking=true&result=true', { n: 0 }); // warm the container
    const walls: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const out = await call('POST', '/compositions/chain?blocking=true&result=true', { n: 0 });
      walls.push(performance.now() - t0);
      if (out.n !== steps) throw new Error(`unexpected result ${JSON.stringify(out)}`);
    }
    const p50 = percentile(walls, 50);
    console.log(`\n[whirl] ${steps} sequential tasks × ~${workMs} ms (bullmq + ${args.store} + ${args.containers}), ${runs} runs after a warm-up`);
    console.log(`  end to end: p50 ${fmt(p50)} ms  min ${fmt(Math.min(...walls))} ms  max ${fmt(Math.max(...walls))} ms  (target ≤ 500 ms)`);
    console.log(
      `  per-step overhead beyond the work: ${fmt((p50 - steps * workMs) / steps)} ms  (raw BullMQ round trip p50 ${fmt(bull.p50)} ms, ` +
        `${fmt(idle.p50)} ms after ${workMs} ms idle)`,
    );
    if (!Number.isNaN(rawStep)) {
      console.log(`  per-step overhead beyond the raw /run of the same action: ${fmt((p50 - steps * rawStep) / steps)} ms`);
      // The bare parts chained, no Whirl at all: each step one raw queue round trip (after the same idle) and one raw
      // /run. A target below this is below what this host's components allow.
      console.log(`  bare floor on this host: ${steps} × (raw /run + raw BullMQ after idle) = ${fmt(steps * (rawStep + idle.p50))} ms`);
    }
    await breakdown(call);
  } finally {
    await whirl.stop();
  }
}

/**
 * Where a step's time goes, from one more run's history and component records: engine decision → the invoker
 * starting the action (store write of the snapshot, publish, queue, container), the action's own duration, and
 * the action's end → the engine applying its completion.
 */
async function breakdown(call: (method: string, path: string, body?: unknown) => Promise<any>): Promise<void> {
  const t0 = Date.now();
  const rec = await call('POST', '/compositions/chain?blocking=true', { n: 0 });
  const t1 = Date.now();
  const history = await call('GET', `/compositions/chain/executions/${rec.activationId}/history?limit=10000`);
  const dispatched = new Map<string, number>();
  const completed = new Map<string, number>();
  let started = 0;
  let ended = 0;
  for (const h of history) {
    if (h.type === 'ExecutionStarted') started = h.at;
    if (h.type === 'ExecutionSucceeded') ended = h.at;
    if (h.type === 'TaskDispatched') dispatched.set(h.activationId, h.at);
    if (h.type === 'TaskCompleted') completed.set(h.activationId, h.at);
  }
  const rows: Array<[number, number, number, number]> = [];
  for (const id of rec.logs as string[]) {
    const r = await call('GET', `/activations/${id}`);
    const wait = Number(r.annotations.find((a: any) => a.key === 'waitTime')?.value ?? 0);
    rows.push([r.start - dispatched.get(id)!, wait, r.duration, completed.get(id)! - r.end]);
  }
  const avg = (i: number) => fmt(rows.reduce((sum, r) => sum + r[i]!, 0) / rows.length);
  console.log(
    `  per step (mean): decision → action start ${avg(0)} ms (of which invoker waitTime ${avg(1)} ms), ` +
      `action ${avg(2)} ms, action end → engine ${avg(3)} ms`,
  );
  // Same host clock for the client and the engine (one machine): the fixed costs of one execution.
  console.log(
    `  per execution: request → started ${fmt(started - t0)} ms, last step done → response ${fmt(t1 - ended)} ms ` +
      `(the final history, record and status writes), wall ${fmt(t1 - t0)} ms`,
  );
}

async function main(): Promise<void> {
  console.log(`bench/compose — ${new Date().toISOString()} — node ${process.version}`);
  if (!args['skip-docker']) await sequential();
  if (args['skip-parked']) return;
  const dir = mkdtempSync(join(tmpdir(), 'whirl-bench-parked-'));
  try {
    const n = Number(args.parked);
    const waitMs = Number(args['park-ms']);
    const r = await parkedWaits({ n, waitMs, dir });
    console.log(`\n[whirl] ${n} executions parked in a ${waitMs} ms wait (one engine, on-disk execution store)`);
    console.log(`  started all in ${fmt(r.startMs)} ms; running at once: ${r.parkedNow}, of which held in memory as actors: ${r.residentNow}`);
    console.log(`  heap while parked: ${r.heapParkedMB.toFixed(1)} MB (${Math.round(r.heapPerExecutionBytes)} bytes per execution)`);
    console.log(`  resumed: ${r.finished}/${n}; lateness p50 ${fmt(r.lateP50)} ms  p99 ${fmt(r.lateP99)} ms  max ${fmt(r.lateMax)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
