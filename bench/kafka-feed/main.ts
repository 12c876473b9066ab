/**
 * bench/kafka-feed — message-stream feed delivery through the MessageStreams adapters, in one run:
 *
 *   WHIRL_TEST_REDIS_URL=redis://127.0.0.1:6379 WHIRL_TEST_KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/kafka-feed/main.ts [--n 200]
 *
 * For each adapter (memory and Redis streams as the same-run baselines, then Kafka): one subscription, one consumer
 * with pollMs 20 (the Redis adapter polls; Kafka long-polls), then
 *   latency   append one message, wait until `deliver` saw it; n times sequentially (p50/p99)
 *   burst     append n messages without waiting, time until all were delivered (messages/s)
 * Prints, never asserts. Not measured: the trigger fire itself (bench/triggers).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { KafkaMessageStreams } from '../../src/adapters/streams/kafka-message-streams.js';
import { MemoryKafkaSubscriptions } from '../../src/adapters/streams/kafka-subscriptions.js';
import { MemoryMessageStreams } from '../../src/adapters/streams/memory-message-streams.js';
import { RedisMessageStreams } from '../../src/adapters/streams/redis-message-streams.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { MessageStreams } from '../../src/ports/message-streams.js';
import { fmt, percentile } from '../lib/stats.js';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '200' } } });
const n = Number(args.n);
const run = randomUUID().slice(0, 8);

async function measure(name: string, streams: MessageStreams): Promise<void> {
  const stream = `whirl-bench-kfeed-${run}-${name}`;
  const id = `bench/${name}`;
  await streams.subscribe({ id, namespace: 'bench', trigger: name, subject: 'bench', uuid: 'u', stream, paused: false });
  const seen = new Set<string>();
  let notify: (() => void) | undefined;
  const stop = streams.consume(
    async (_s, m) => {
      seen.add(m.fields.i!);
      notify?.();
    },
    { consumerId: 'bench', pollMs: 20, retryMs: 30_000 },
  );
  const waitFor = (i: string) =>
    new Promise<void>((resolve) => {
      const check = () => (seen.has(i) ? resolve() : undefined);
      notify = check;
      check();
    });
  // Warm up: the Kafka member has to join its group first.
  await streams.append(stream, { i: 'warm' });
  await waitFor('warm');
  const samples: number[] = [];
  for (let k = 0; k < n; k++) {
    const start = performance.now();
    await streams.append(stream, { i: `l${k}` });
    await waitFor(`l${k}`);
    samples.push(performance.now() - start);
  }
  const start = performance.now();
  await Promise.all(Array.from({ length: n }, (_, k) => streams.append(stream, { i: `b${k}` })));
  await waitFor(`b${n - 1}`);
  while ([...Array(n).keys()].some((k) => !seen.has(`b${k}`))) await new Promise((r) => setTimeout(r, 5));
  const burst = performance.now() - start;
  console.log(
    `${name.padEnd(8)} latency p50 ${fmt(percentile(samples, 50))} p99 ${fmt(percentile(samples, 99))}   burst of ${n}: ${fmt(burst)} (${Math.round((n / burst) * 1000)} msg/s)`,
  );
  await stop();
  await streams.unsubscribe(id);
  await streams.close();
}

// The adapters' poll timers are unref'd (they must not keep a server alive): hold the process open ourselves.
const keepAlive = setInterval(() => undefined, 1_000);
console.log(`n=${n}`);
await measure('memory', new MemoryMessageStreams());
const redisUrl = process.env.WHIRL_TEST_REDIS_URL;
if (redisUrl) {
  await measure('redis', new RedisMessageStreams({ redisUrl, prefix: `whirl-bench-kfeed-${run}`, logger: silentLogger }));
} else console.log('redis    skipped (WHIRL_TEST_REDIS_URL unset)');
const brokers = process.env.WHIRL_TEST_KAFKA_BROKERS;
if (brokers) {
  await measure(
    'kafka',
    new KafkaMessageStreams({
      brokers: brokers.split(','),
      subscriptions: new MemoryKafkaSubscriptions(),
      groupPrefix: `whirl-bench-kfeed-${run}`,
      logger: silentLogger,
    }),
  );
} else console.log('kafka    skipped (WHIRL_TEST_KAFKA_BROKERS unset)');
clearInterval(keepAlive);
