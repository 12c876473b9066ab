import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { subscriptionAwareAssigner } from '../../src/adapters/queue/kafka/assigner.js';
import { verdictFor } from '../../src/adapters/queue/kafka/delivery-state.js';
import { KafkaActivationQueue } from '../../src/adapters/queue/kafka/kafka-activation-queue.js';
import { PartitionProgress } from '../../src/adapters/queue/kafka/partition-progress.js';
import type { ActivationQueue } from '../../src/ports/activation-queue.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { activationQueueContract, type DoomedConsumer } from './activation-queue.contract.js';
import { freePort as closedPort } from '../helpers/whirl-process.js';
import { startDoomedProcess } from './doomed-process.js';

/** The shared ActivationQueue contract on a real Kafka broker, plus the adapter's pure rules. */

// Short sessions so a killed consumer's partitions move within ~2 s (the test broker allows 500 ms minimum).
const SESSION_MS = 1500;
const FIXTURE = fileURLToPath(new URL('./fixtures/kafka-doomed-consumer.ts', import.meta.url));

describeWith(['kafka'], 'Kafka activation queue', () => {
  const brokers = (serviceUrl('kafka') ?? '').split(',');
  activationQueueContract(
    'kafka',
    async (logger) =>
      new KafkaActivationQueue({
        brokers,
        queueName: `whirl-test-${randomUUID()}`,
        logger,
        partitions: 2,
        sessionTimeoutMs: SESSION_MS,
      }),
    {
      redeliveryTimeoutMs: 15_000,
      startDoomedConsumer: (queue, invokerId) => startDoomedChild(brokers, queueNameOf(queue), invokerId),
      makeUnreachableQueue: async (logger) =>
        new KafkaActivationQueue({
          brokers: [`127.0.0.1:${await closedPort()}`],
          queueName: `whirl-test-${randomUUID()}`,
          logger,
          requestTimeoutMs: 1000,
        }),
    },
  );
});

describe('Kafka adapter rules', () => {
  it('commits the lowest unfinished offset, or one past the highest when all finished', () => {
    const p = new PartitionProgress();
    expect(p.commitPoint()).toBeUndefined();
    p.taken(10n);
    p.taken(11n);
    p.taken(12n);
    p.finished(11n);
    p.finished(12n);
    expect(p.commitPoint()).toBe(10n);
    p.finished(10n);
    expect(p.commitPoint()).toBe(13n);
  });

  it('tells first deliveries, redeliveries and duplicates apart by their markers', () => {
    const ref = { topic: 't', partition: 0, offset: 5n };
    expect(verdictFor(undefined, ref)).toBe('first');
    expect(verdictFor({ ...ref, state: 'started' }, ref)).toBe('redelivered');
    expect(verdictFor({ ...ref, state: 'done' }, ref)).toBe('skip');
    expect(verdictFor({ ...ref, offset: 4n, state: 'started' }, ref)).toBe('skip');
  });

  it("assigns an invoker's own topic only to its subscribers", () => {
    const members = new Map([
      ['m1', { memberId: 'm1', version: 0, topics: ['shared', 'own-1'] }],
      ['m2', { memberId: 'm2', version: 0, topics: ['shared', 'own-2'] }],
    ]);
    const topic = (partitionsCount: number) => ({ id: 'x', partitions: [], partitionsCount, lastUpdate: 0 });
    const metadata = {
      id: 'c',
      brokers: new Map(),
      controllerId: 1,
      lastUpdate: 0,
      topics: new Map([
        ['shared', topic(4)],
        ['own-1', topic(1)],
        ['own-2', topic(1)],
      ]),
    };
    // The client passes the leader's own subscription as `topics`: m2's own topic must still be assigned.
    const plan = subscriptionAwareAssigner('m1', members, new Set(['shared', 'own-1']), metadata);
    const of = (m: string) => plan.find((p) => p.memberId === m)!.assignments;
    expect(of('m1').get('own-1')?.partitions).toEqual([0]);
    expect(of('m1').has('own-2')).toBe(false);
    expect(of('m2').get('own-2')?.partitions).toEqual([0]);
    const shared = [...(of('m1').get('shared')?.partitions ?? []), ...(of('m2').get('shared')?.partitions ?? [])];
    expect(shared.sort()).toEqual([0, 1, 2, 3]);
  });
});

function queueNameOf(queue: ActivationQueue): string {
  if (!(queue instanceof KafkaActivationQueue)) throw new Error('expected a KafkaActivationQueue');
  return queue.settings.topics.workPrefix.replace(/\.work$/, '');
}

/** A real process, killed with SIGKILL: the honest stand-in for an invoker crash. */
function startDoomedChild(brokers: string[], queueName: string, invokerId = 'doomed'): Promise<DoomedConsumer> {
  return startDoomedProcess(FIXTURE, [brokers.join(','), queueName, String(SESSION_MS), invokerId]);
}
