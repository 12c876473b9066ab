/**
 * bench/invoke — Whirl's activation path against bare baselines measured in the same run.
 *
 *   bash scripts/bench.sh [--latency-n 1000] [--throughput-n 10000] [--clients 64] [--action-concurrency 1]
 *
 * Needs WHIRL_TEST_REDIS_URL, WHIRL_TEST_COUCHDB_URL, WHIRL_TEST_DOCKER_SOCKET, WHIRL_TEST_NODEJS_IMAGE
 * (scripts/bench.sh starts the services and exports them). Prints, never asserts: benchmarks are not tests.
 */
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { cpus } from 'node:os';
import { bareChain } from '../baseline/bare-chain.js';
import { bareThroughput } from '../baseline/bare-throughput.js';
import { bullmqRoundTrip } from '../baseline/bullmq-roundtrip.js';
import { kafkaRoundTrip } from '../baseline/kafka-roundtrip.js';
import { leanPost } from '../lib/lean-post.js';
import { fmt, percentile, pool, timeEach } from '../lib/stats.js';
import { GUEST_KEY, startWhirlProcess } from '../../test/helpers/whirl-process.js';
import { rawContainerRun } from './raw-container.js';

const { values: args } = parseArgs({
  options: {
    'latency-n': { type: 'string', default: '1000' },
    'throughput-n': { type: 'string', default: '10000' },
    clients: { type: 'string', default: '64' },
    'action-concurrency': { type: 'string', default: '1' },
    queue: { type: 'string', default: 'bullmq' },
    store: { type: 'string', default: 'couchdb' },
    containers: { type: 'string', default: 'docker' },
    'skip-baselines': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    /** `split`: one API process and one invoker process (the production shape); `single`: both roles in one. */
    topology: { type: 'string', default: 'split' },
  },
});
const latencyN = Number(args['latency-n']);
const throughputN = Number(args['throughput-n']);
const clients = Number(args.clients);
const actionConcurrency = Number(args['action-concurrency']);

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through scripts/bench.sh`);
  return v;
}
const redisUrl = need('WHIRL_TEST_REDIS_URL');
const couchUrl = need('WHIRL_TEST_COUCHDB_URL');
const dockerSocket = need('WHIRL_TEST_DOCKER_SOCKET');
const image = process.env.WHIRL_TEST_NODEJS_IMAGE ?? 'whirl/runtime-nodejs:20';
/** `--queue kafka` measures against the raw Kafka round trip instead of raw BullMQ (docs/kafka.md). */
const kafka = args.queue === 'kafka';
const kafkaBrokers = kafka ? need('WHIRL_TEST_KAFKA_BROKERS') : '';
const queueLabel = kafka ? 'Kafka' : 'BullMQ';

const auth = `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`;

async function main(): Promise<void> {
  console.log(`bench/invoke — ${new Date().toISOString()} — node ${process.version}`);

  let bull = { p50: Number.NaN, p99: Number.NaN, throughputPerSec: Number.NaN };
  let rawP50 = Number.NaN;
  let bareP50 = Number.NaN;
  let durableP50 = Number.NaN;
  let bareRate = Number.NaN;
  if (!args['skip-baselines']) {
    if (kafka) {
      console.log('\n[baseline] raw Kafka produce→consume→reply→consume round trip (@platformatic/kafka, acks=all)');
      bull = await kafkaRoundTrip({ brokers: kafkaBrokers.split(','), n: latencyN });
    } else {
      console.log('\n[baseline] raw BullMQ add→finished (QueueEvents), idle queue, noop job');
      bull = await bullmqRoundTrip({ redisUrl, n: latencyN, concurrency: 1 });
    }
    console.log(`  p50 ${fmt(bull.p50)} ms  p99 ${fmt(bull.p99)} ms  noop throughput ${Math.round(bull.throughputPerSec)} jobs/s`);

    console.log('\n[baseline] raw HTTP POST /run to a warm container (node:http keep-alive)');
    const raw = await rawContainerRun({ socketPath: dockerSocket, image, n: latencyN });
    rawP50 = percentile(raw, 50);
    console.log(`  p50 ${fmt(rawP50)} ms  p99 ${fmt(percentile(raw, 99))} ms`);
    const common = { socketPath: dockerSocket, image, n: latencyN };
    if (!kafka) {
      console.log('\n[baseline] bare chain: client → bare HTTP server → BullMQ → bare worker → /run → Redis PUBLISH → server → client');
      console.log('  (separate processes, the same ten hops as the split topology, no Whirl code: bench/baseline/bare-chain.ts)');
      const chain = await bareChain({ ...common, queue: 'bullmq', redisUrl });
      bareP50 = percentile(chain, 50);
      console.log(`  p50 ${fmt(bareP50)} ms  p99 ${fmt(percentile(chain, 99))} ms  = ${(bareP50 / (bull.p50 + rawP50)).toFixed(2)}× (raw BullMQ + raw /run)`);
      console.log('  the same chain with a durable invoker\'s worker shape: BullMQ concurrency 256, each job held 50 ms after');
      console.log('  its result is published (as until its record is stored)');
      const durable = await bareChain({ ...common, queue: 'bullmq', redisUrl, worker: { concurrency: 256, holdMs: 50 } });
      durableP50 = percentile(durable, 50);
      console.log(`  p50 ${fmt(durableP50)} ms  p99 ${fmt(percentile(durable, 99))} ms  = ${(durableP50 / (bull.p50 + rawP50)).toFixed(2)}× (raw BullMQ + raw /run)`);
      if (throughputN > 0) {
        const containers = cpus().length;
        console.log(`\n[reference] plain throughput chain: HTTP → BullMQ → worker → /run on ${containers} warm containers → _bulk_docs every 50 ms → job finished`);
        console.log(`  (${throughputN} requests, ${clients} clients; the same shape done the plain way, no Whirl code — a reference, not a floor: bench/baseline/bare-throughput.ts)`);
        const tp = await bareThroughput({ redisUrl, couchUrl, socketPath: dockerSocket, image, n: throughputN, clients, containers });
        bareRate = tp.perSecond;
        console.log(`  stored ${Math.round(tp.perSecond)} activations/s (accepted ${Math.round(tp.acceptedPerSecond)}/s)`);
      }
    } else {
      console.log('\n[baseline] bare chain: client → bare HTTP server → Kafka → bare consumer → /run → Kafka → server → client');
      console.log('  (separate processes, no Whirl code: bench/baseline/bare-chain.ts)');
      const brokers = kafkaBrokers.split(',');
      for (const marker of [false, true]) {
        const chain = percentile(await bareChain({ ...common, queue: 'kafka', brokers, marker }), 50);
        if (marker) bareP50 = chain;
        const what = marker ? 'with an acknowledged marker before /run (at-most-once)' : 'no marker (at-least-once)';
        console.log(`  ${what}: p50 ${fmt(chain)} ms  = ${(chain / (bull.p50 + rawP50)).toFixed(2)}× (raw Kafka + raw /run)`);
      }
    }
  }
  console.log(`\n[whirl] queue=${args.queue} store=${args.store} containers=${args.containers} action concurrency=${actionConcurrency}`);

  const env: Record<string, string> = {
    WHIRL_QUEUE: args.queue ?? 'bullmq',
    WHIRL_REDIS_URL: redisUrl,
    ...(kafka ? { WHIRL_KAFKA_BROKERS: kafkaBrokers } : {}),
    WHIRL_QUEUE_NAME: `whirl-bench-${process.pid}`,
    WHIRL_STORE: args.store ?? 'couchdb',
    WHIRL_COUCHDB_URL: couchUrl,
    WHIRL_COUCHDB_PREFIX: `whirl_bench_${process.pid}_`,
    WHIRL_CONTAINERS: args.containers ?? 'docker',
    WHIRL_DOCKER_SOCKET: dockerSocket,
    WHIRL_NODEJS_IMAGE: image,
    WHIRL_INVOKER_ID: `bench${process.pid}`,
  };
  const nodeArgs = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir=/tmp/whirl-prof'] : [];
  const split = args.topology === 'split' && args.queue !== 'memory';
  const invokerProcess = split ? await startWhirlProcess({ ...env, WHIRL_ROLE: 'invoker' }, { nodeArgs }) : undefined;
  const whirl = await startWhirlProcess({ ...env, WHIRL_ROLE: split ? 'api' : 'all' }, { nodeArgs });
  console.log(`  topology: ${split ? 'one API process + one invoker process' : 'API and invoker in one process'}`);
  const http = new Pool(whirl.url, { connections: Math.max(clients, 4), pipelining: 1 });
  try {
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
      const res = await http.request({
        method: method as 'POST',
        path,
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
    };
    const created = await call('PUT', '/api/v1/namespaces/_/actions/noop?overwrite=true', {
      exec: { kind: 'nodejs:20', code: 'function main(){ return {}; }' },
      limits: { concurrency: actionConcurrency },
    });
    if (created.status !== 200) throw new Error(`create failed: ${JSON.stringify(created.json)}`);

    console.log(`\n[whirl] warm blocking invoke, full path (HTTP → ${queueLabel} → invoker → Docker → completion), n=${latencyN}`);
    const invoke = async () => {
      const r = await call('POST', '/api/v1/namespaces/_/actions/noop?blocking=true');
      if (r.status !== 200) throw new Error(`invoke answered ${r.status}: ${JSON.stringify(r.json)}`);
    };
    await timeEach(100, invoke); // cold start + warm-up
    const lat = await timeEach(latencyN, invoke);
    const p50 = percentile(lat, 50);
    const target = 2 * (bull.p50 + rawP50);
    console.log(`  p50 ${fmt(p50)} ms  p99 ${fmt(percentile(lat, 99))} ms`);
    const recent = (await call('GET', '/api/v1/namespaces/_/activations?docs=true&limit=200')).json as Array<{
      duration: number;
      annotations: Array<{ key: string; value: unknown }>;
    }>;
    const waits = recent.map((r) => Number(r.annotations.find((a) => a.key === 'waitTime')?.value ?? 0));
    const durations = recent.map((r) => r.duration);
    console.log(
      `  inside: waitTime p50 ${fmt(percentile(waits, 50))} ms (API accept → container ready), run p50 ${fmt(percentile(durations, 50))} ms`,
    );
    console.log(
      `  ratio p50 / (raw ${queueLabel} p50 + raw /run p50) = ${(p50 / (bull.p50 + rawP50)).toFixed(2)}×  (target ≤ 2×, i.e. ≤ ${fmt(target)} ms)`,
    );
    if (!Number.isNaN(bareP50)) console.log(`  ratio p50 / bare chain p50 = ${(p50 / bareP50).toFixed(2)}×  (what Whirl's own work adds to the hops)`);
    if (!Number.isNaN(durableP50)) {
      console.log(`  ratio p50 / bare chain p50 with the durable worker shape = ${(p50 / durableP50).toFixed(2)}×`);
    }

    console.log(`\n[whirl] non-blocking throughput, every record stored: ${throughputN} invokes, ${clients} clients`);
    // Stored records are counted from the CouchDB database's doc_count: cheap, and it does not make the CouchDB-protocol
    // server (pouchdb-server here) rebuild a view index while it is also taking the writes being measured.
    const activationsDb = `${couchUrl.replace(/\/$/, '')}/whirl_bench_${process.pid}_activations`;
    const storedCount = async (): Promise<number> =>
      args.store === 'couchdb'
        ? ((await (await fetch(activationsDb)).json()) as { doc_count: number }).doc_count
        : ((await call('GET', '/api/v1/namespaces/_/activations?count=true')).json.activations as number);
    const before = await storedCount();
    const t0 = performance.now();
    let rejected = 0;
    // The same lean client as the plain throughput chain's (bench/lib/lean-post.ts): status only, body dropped.
    const invokeHeaders = { authorization: auth, 'content-type': 'application/json' };
    await pool(throughputN, clients, async () => {
      if ((await leanPost(http, '/api/v1/namespaces/_/actions/noop', invokeHeaders)) !== 202) rejected++;
    });
    const accepted = performance.now() - t0;
    let stored = 0;
    for (;;) {
      stored = (await storedCount()) - before;
      if (stored >= throughputN - rejected || performance.now() - t0 > 300_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const total = performance.now() - t0;
    const rate = stored / (total / 1000);
    console.log(`  accepted ${throughputN - rejected} in ${fmt(accepted)} ms (${Math.round(((throughputN - rejected) / accepted) * 1000)}/s), rejected ${rejected}`);
    console.log(`  stored ${stored} records in ${fmt(total)} ms → ${Math.round(rate)} activations/s (target ≥ 2000/s)`);
    console.log(`  ratio to raw ${queueLabel} noop throughput: ${(rate / bull.throughputPerSec).toFixed(2)}×`);
    if (!Number.isNaN(bareRate)) console.log(`  ratio to the plain throughput chain: ${(rate / bareRate).toFixed(2)}×`);
  } finally {
    await http.close();
    await whirl.stop();
    await invokerProcess?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
