import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { KafkaActivationQueue } from '../../src/adapters/queue/kafka/kafka-activation-queue.js';
import type { ActivationMessage } from '../../src/domain/activation-message.js';
import type { Delivery } from '../../src/ports/activation-queue.js';
import { activationMessage, eventually, recordingLogger, sleep } from '../contract/activation-queue.support.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { freePort } from '../helpers/whirl-process.js';

/**
 * What Kafka must not lose: activations queued while the broker restarts, and the work of a consumer killed with
 * SIGKILL in the middle of a batch (finished ones are not applied again, started ones come back marked redelivered,
 * never-started ones come back as first deliveries).
 */
const SESSION_MS = 1500;
const BROKER_SCRIPT = process.env.WHIRL_TEST_KAFKA_SCRIPT ?? fileURLToPath(new URL('../../scripts/kafka/broker.sh', import.meta.url));
const BATCH_FIXTURE = fileURLToPath(new URL('../contract/fixtures/kafka-batch-consumer.ts', import.meta.url));
const run = promisify(execFile);

describeWith(['kafka'], 'Kafka queue durability', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function queueOn(brokers: string[], queueName: string) {
    const queue = new KafkaActivationQueue({ brokers, queueName, logger: recordingLogger(), partitions: 1, sessionTimeoutMs: SESSION_MS });
    cleanups.push(() => queue.close());
    return queue;
  }

  function recorder() {
    const received: Array<{ msg: ActivationMessage; delivery: Delivery }> = [];
    const handler = async (msg: ActivationMessage, delivery: Delivery) => {
      received.push({ msg, delivery });
    };
    return { received, handler, countOf: (id: string) => received.filter((r) => r.msg.activationId === id).length };
  }

  it('loses none of the activations queued while the broker restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whirl-test-kafka-'));
    const port = await freePort();
    const broker = async (cmd: 'start' | 'stop') => run('bash', [BROKER_SCRIPT, cmd, dir, ...(cmd === 'start' ? [String(port)] : [])]);
    await broker('start');
    cleanups.push(async () => {
      await broker('stop');
      rmSync(dir, { recursive: true, force: true });
    });
    const brokers = [`127.0.0.1:${port}`];
    const queueName = `whirl-test-${randomUUID()}`;
    const publisher = queueOn(brokers, queueName);
    const msgs = Array.from({ length: 5 }, () => activationMessage());
    for (const m of msgs) await eventually('publish before restart', () => publisher.publish(m).then(() => true, () => false), 20_000);

    await broker('stop');
    await broker('start');

    // The publisher reconnects by itself (the API answers 503 meanwhile, never drops an accepted publish).
    const late = activationMessage();
    await eventually('publish after restart', () => publisher.publish(late).then(() => true, () => false), 30_000);
    const r = recorder();
    await queueOn(brokers, queueName).consume(r.handler, { invokerId: 'after-restart', concurrency: 2 });
    await eventually('every queued activation delivered', () => r.received.length >= msgs.length + 1, 30_000);
    await sleep(300);
    for (const m of [...msgs, late]) expect(r.countOf(m.activationId)).toBe(1);
    expect(r.received.every((x) => !x.delivery.redelivered)).toBe(true);
  }, 90_000);

  it('a consumer killed mid-batch: finished work is not applied again, started work is redelivered, none is lost', async () => {
    const brokers = (serviceUrl('kafka') ?? '').split(',');
    const queueName = `whirl-test-${randomUUID()}`;
    const queue = queueOn(brokers, queueName);
    // One partition: the hung first record holds the commit point, so the finished ones after it stay uncommitted.
    const plan = [true, false, false, false, true, false];
    const msgs = plan.map((hang) => activationMessage({ params: { hang } }));
    for (const m of msgs) await queue.publish(m);
    const child = await startBatchChild(brokers, queueName, 4);
    cleanups.push(child.kill);
    const hung = msgs.filter((_, i) => plan[i]).map((m) => m.activationId);
    const applied = msgs.filter((_, i) => !plan[i]).map((m) => m.activationId);
    await eventually('batch half done', () => child.applied.size === applied.length && child.hung.size === hung.length, 20_000);
    await sleep(500); // the `done` markers follow each applied handler by one acknowledged write
    await child.kill();

    const fresh = activationMessage();
    await queue.publish(fresh);
    const r = recorder();
    await queue.consume(r.handler, { invokerId: 'successor', concurrency: 4 });
    await eventually('hung and fresh work delivered', () => r.received.length >= hung.length + 1, 20_000);
    await eventually('queue drained', async () => (await queue.depth()) === 0, 10_000);
    await sleep(300);
    for (const id of hung) {
      expect(r.countOf(id)).toBe(1);
      expect(r.received.find((x) => x.msg.activationId === id)!.delivery).toEqual({ redelivered: true });
    }
    for (const id of applied) expect(r.countOf(id)).toBe(0);
    expect(r.received.find((x) => x.msg.activationId === fresh.activationId)?.delivery).toEqual({ redelivered: false });
    expect(r.received).toHaveLength(hung.length + 1);
  }, 60_000);
});

/** The batch consumer as a real process, killed with SIGKILL. */
async function startBatchChild(brokers: string[], queueName: string, concurrency: number) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', BATCH_FIXTURE, brokers.join(','), queueName, String(SESSION_MS), String(concurrency)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const applied = new Set<string>();
  const hung = new Set<string>();
  let ready = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { ready?: true; applied?: string; hung?: string };
    if (event.ready) ready = true;
    if (event.applied) applied.add(event.applied);
    if (event.hung) hung.add(event.hung);
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  await eventually('batch consumer ready', () => ready || child.exitCode !== null, 20_000);
  if (!ready) throw new Error(`batch consumer exited early (code ${child.exitCode})`);
  return { applied, hung, kill };
}

