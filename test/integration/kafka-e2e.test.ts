import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { type TestWhirl, eventually, startTestWhirl } from '../helpers/whirl.js';

/**
 * A whole Whirl with its activation queue on Kafka (WHIRL_QUEUE=kafka; process containers and the file store, so
 * only the queue differs from the embedded default): blocking and non-blocking invokes, and a sequence, whose
 * components travel the queue one after the other.
 */
const code = (body: string) => ({ exec: { kind: 'nodejs:default', code: `function main(p) { ${body} }` } });

describeWith(['kafka'], 'Whirl on the Kafka queue', () => {
  let w: TestWhirl;
  beforeAll(async () => {
    w = await startTestWhirl('embedded', {
      WHIRL_QUEUE: 'kafka',
      WHIRL_KAFKA_BROKERS: serviceUrl('kafka') ?? '',
      WHIRL_QUEUE_NAME: `whirl-test-${randomUUID().slice(0, 8)}`,
      WHIRL_KAFKA_PARTITIONS: '2',
    });
    await w.api('PUT', '/api/v1/namespaces/_/actions/hello', code("return { payload: 'Hello ' + p.name };"));
    await w.api('PUT', '/api/v1/namespaces/_/actions/inc', code('return { x: (p.x || 0) + 1 };'));
    await w.api('PUT', '/api/v1/namespaces/_/actions/twice', { exec: { kind: 'sequence', components: ['/_/inc', '/_/inc'] } });
  }, 60_000);
  afterAll(() => w?.stop());

  it('answers a blocking invoke with the result', async () => {
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/hello?blocking=true&result=true', { name: 'Kafka' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ payload: 'Hello Kafka' });
  }, 30_000);

  it('accepts non-blocking invokes with 202 and records every one of them once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await w.api('POST', '/api/v1/namespaces/_/actions/inc', { x: i });
      expect(res.status).toBe(202);
      ids.push(res.body.activationId);
    }
    for (const [i, id] of ids.entries()) {
      const rec = await eventually(async () => {
        const r = await w.api('GET', `/api/v1/namespaces/_/activations/${id}`);
        return r.status === 200 ? r.body : undefined;
      }, 20_000);
      expect(rec.response.result).toEqual({ x: i + 1 });
    }
  }, 40_000);

  it('runs a sequence (a composition of two activations over the queue)', async () => {
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/twice?blocking=true', { x: 1 });
    expect(res.status).toBe(200);
    expect(res.body.response.result).toEqual({ x: 3 });
    expect(res.body.logs).toHaveLength(2);
  }, 30_000);
});
