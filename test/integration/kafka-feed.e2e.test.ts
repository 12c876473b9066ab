import { randomUUID } from 'node:crypto';
import { Producer } from '@platformatic/kafka';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/**
 * The Kafka-topic feed end to end: a real Whirl (embedded queue) with WHIRL_KAFKA_BROKERS on the test broker, the
 * unchanged `openwhisk` client creating the feed through a binding of `/whisk.system/messaging`, and records
 * produced to the topic by an independent Kafka producer firing the trigger whose rule runs an action.
 */
describeWith(['kafka'], 'kafka topic feed end to end', () => {
  let whirl: TestWhirl;
  let ow: ReturnType<typeof openwhisk>;
  let producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  const brokers = () => serviceUrl('kafka')!.split(',');

  beforeAll(async () => {
    whirl = await startTestWhirl('embedded', {
      WHIRL_KAFKA_BROKERS: serviceUrl('kafka')!,
      WHIRL_QUEUE_NAME: `whirl-test-kfeed-${randomUUID().slice(0, 8)}`,
      WHIRL_STREAM_POLL_MS: '50',
    });
    ow = openwhisk({ apihost: whirl.url, api_key: whirl.auth });
    producer = new Producer({ clientId: 'whirl-test-kfeed', bootstrapBrokers: brokers(), acks: -1 });
  });
  afterAll(async () => {
    await producer?.close();
    await whirl?.stop();
  });

  const echo = 'function main(p) { return p; }';

  async function records(action: string, atLeast: number): Promise<FullRecord[]> {
    return eventually(async () => {
      const list = (await ow.activations.list({ name: action, docs: true, limit: 50 })) as unknown as FullRecord[];
      return list.length >= atLeast ? list : undefined;
    }, 30_000, 200);
  }

  const produce = (topic: string, value: string, key?: string) =>
    producer.send({ messages: [{ topic, value: Buffer.from(value), ...(key ? { key: Buffer.from(key) } : {}) }] });

  it('records produced to the topic fire the trigger once each; PAUSE holds them, UNPAUSE delivers', async () => {
    const suffix = randomUUID().slice(0, 8);
    const [action, trigger, binding] = [`a-${suffix}`, `t-${suffix}`, `msg-${suffix}`];
    const topic = `whirl-test-kfeed-${suffix}`;
    await ow.actions.create({ name: action, action: echo });
    await ow.packages.create({ name: binding, package: { binding: { namespace: 'whisk.system', name: 'messaging' } } });
    await ow.triggers.create({ name: trigger });
    const created = (await ow.feeds.create({ name: `${binding}/kafkaTopic`, trigger, params: { topic } })) as unknown as FullRecord;
    expect(created.response?.result).toMatchObject({ status: 'active', topic });
    await ow.rules.create({ name: `r-${suffix}`, trigger, action });

    for (let i = 0; i < 3; i++) await produce(topic, JSON.stringify({ n: String(i) }));
    await produce(topic, 'plain text', 'k-1');
    const fired = await records(action, 4);
    await new Promise((r) => setTimeout(r, 500));
    const all = (await ow.activations.list({ name: action, docs: true, limit: 50 })) as unknown as FullRecord[];
    expect(all).toHaveLength(4);
    const results = all.map((r) => r.response?.result as { topic: string; id: string; fields: Record<string, string> });
    expect(results.map((r) => r.fields.n).filter((n) => n !== undefined).sort()).toEqual(['0', '1', '2']);
    expect(results.map((r) => r.fields)).toContainEqual({ value: 'plain text', key: 'k-1' });
    expect(fired[0]!.response?.result).toMatchObject({ topic, id: expect.stringMatching(/^\d+-\d+$/) });

    const lifecycle = (lifecycleEvent: string) =>
      whirl.api('POST', `/api/v1/namespaces/_/actions/${binding}/kafkaTopic?blocking=true`, {
        lifecycleEvent,
        triggerName: `/_/${trigger}`,
      });
    expect((await lifecycle('PAUSE')).status).toBe(200);
    await produce(topic, JSON.stringify({ n: 'held' }));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await ow.activations.list({ name: action, limit: 50 })).toHaveLength(4);
    expect((await lifecycle('UNPAUSE')).status).toBe(200);
    const resumed = await records(action, 5);
    expect(resumed.map((r) => (r.response?.result as { fields: { n?: string } }).fields.n)).toContain('held');

    await ow.feeds.delete({ name: `${binding}/kafkaTopic`, trigger });
    expect((await lifecycle('READ')).status).toBe(404);
  });

  it('refuses a bad topic or bad brokers with 400', async () => {
    const suffix = randomUUID().slice(0, 8);
    const binding = `msg-${suffix}`;
    await ow.packages.create({ name: binding, package: { binding: { namespace: 'whisk.system', name: 'messaging' } } });
    const create = (params: object) =>
      whirl.api('POST', `/api/v1/namespaces/_/actions/${binding}/kafkaTopic?blocking=true`, {
        lifecycleEvent: 'CREATE',
        triggerName: `/_/t-${suffix}`,
        ...params,
      });
    expect((await create({ topic: 'not a topic' })).status).toBe(400);
    expect((await create({ topic: 'ok', brokers: 'no-port' })).status).toBe(400);
  });
});

interface FullRecord {
  activationId: string;
  response?: { success?: boolean; result?: unknown };
}
