/**
 * One process of the bare Kafka chain (bare-chain.ts, `queue: 'kafka'`): `api` or `invoker`, chosen by argv[2]. Only
 * raw libraries — node:http and @platformatic/kafka, configured as Whirl's adapter writes and reads (idempotent
 * producers, acks=all, long polls with minBytes 1) — and no Whirl code.
 *
 * - api: an HTTP server; each POST produces a work record and answers when its completion is read back.
 * - invoker: consumes work records; with BARE_MARKER=1 first produces a marker and waits for its ack (what an
 *   at-most-once consumer must do before running), then POSTs `/run` to the warm container and produces the result.
 *
 * Env: BARE_BROKERS, BARE_QUEUE (topic prefix; the topics exist); api: BARE_PORT; invoker: BARE_CONTAINER_IP,
 * BARE_MARKER. Prints `ready` when consuming.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Consumer, type Message, ProduceAcks, Producer } from '@platformatic/kafka';
import { containerRunner, runRole } from './bare-run.js';

type Bytes = Buffer;
const brokers = process.env.BARE_BROKERS!.split(',');
const prefix = process.env.BARE_QUEUE!;
// Created by bare-chain.ts under the same names.
const topics = { work: `${prefix}.work`, done: `${prefix}.done`, state: `${prefix}.state` };
const base = { bootstrapBrokers: brokers, clientId: `${prefix}-${process.argv[2]}` };
const consumerOptions = { ...base, minBytes: 1, maxWaitTime: 200, sessionTimeout: 6000, heartbeatInterval: 1000 };

function producer(): Producer<Bytes, Bytes, Bytes, Bytes> {
  return new Producer<Bytes, Bytes, Bytes, Bytes>({ ...base, idempotent: true, acks: ProduceAcks.ALL });
}

async function api(): Promise<void> {
  const out = producer();
  const waiters = new Map<string, (body: string) => void>();
  const consumer = new Consumer<Bytes, Bytes, Bytes, Bytes>({ ...consumerOptions, groupId: `${prefix}.api` });
  const stream = await consumer.consume({ topics: [topics.done], mode: 'earliest', autocommit: false });
  stream.on('data', (m: Message<Bytes, Bytes, Bytes, Bytes>) => waiters.get(m.key.toString())?.(m.value.toString()));
  // One send at a time per idempotent producer (@platformatic/kafka 1.x: concurrent sends to one partition can share
  // a sequence number); the latency loop sends one request at a time anyway.
  let lane: Promise<void> = Promise.resolve();
  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const id = randomUUID();
      waiters.set(id, (body) => {
        waiters.delete(id);
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
      lane = lane
        .then(() => out.send({ messages: [{ topic: topics.work, key: Buffer.from(id), value: Buffer.from('{}') }] }))
        .then(
          () => undefined,
          (err: unknown) => {
            waiters.delete(id);
            res.writeHead(500).end(String(err));
          },
        );
    });
  });
  server.listen(Number(process.env.BARE_PORT), '127.0.0.1', () => console.log('ready'));
}

async function invoker(): Promise<void> {
  const out = producer();
  const marker = process.env.BARE_MARKER === '1';
  const run = containerRunner(process.env.BARE_CONTAINER_IP!);
  const consumer = new Consumer<Bytes, Bytes, Bytes, Bytes>({ ...consumerOptions, groupId: `${prefix}.invoker` });
  const stream = await consumer.consume({ topics: [topics.work], mode: 'earliest', autocommit: false });
  let lane: Promise<void> = Promise.resolve();
  stream.on('data', (m: Message<Bytes, Bytes, Bytes, Bytes>) => {
    lane = lane.then(async () => {
      if (marker) await out.send({ messages: [{ topic: topics.state, key: m.key, value: Buffer.from('started') }] });
      const result = await run({});
      await out.send({ messages: [{ topic: topics.done, key: m.key, value: Buffer.from(result) }] });
    });
  });
  console.log('ready');
}

runRole({ api, invoker });
