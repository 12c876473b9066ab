import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWith } from '../helpers/services.js';
import { type Mode, type TestWhirl, eventually, startTestWhirl } from '../helpers/whirl.js';

/**
 * OpenWhisk sequences and the compositions API on a whole embedded Whirl (process containers, file store):
 * record shapes of §4.1 (logs = component ids, cause/causedBy/topmost), short-circuit on error, nesting.
 */
const code = (body: string) => ({ exec: { kind: 'nodejs:default', code: `function main(p) { ${body} }` } });
const ann = (rec: any, key: string) => rec.annotations.find((a: any) => a.key === key)?.value;

describe('embedded (file store, in-process queue, process containers)', () => suite('embedded'));
describeWith(['redis', 'couchdb', 'docker'], 'full (BullMQ, CouchDB, Docker)', () => suite('full'));

function suite(mode: Mode): void {
let w: TestWhirl;

beforeAll(async () => {
  w = await startTestWhirl(mode);
  await w.api('PUT', '/api/v1/namespaces/_/actions/inc', code('return { x: (p.x || 0) + 1 };'));
  await w.api('PUT', '/api/v1/namespaces/_/actions/double', code('return { x: p.x * 2 };'));
  await w.api('PUT', '/api/v1/namespaces/_/actions/bad', code("return { error: 'nope' };"));
  await w.api('PUT', '/api/v1/namespaces/_/actions/key', code('return { key: process.env.__OW_IDEMPOTENCY_KEY };'));
  await w.api('PUT', '/api/v1/namespaces/_/actions/seq', { exec: { kind: 'sequence', components: ['/_/inc', '/_/double'] } });
  await w.api('PUT', '/api/v1/namespaces/_/actions/outer', { exec: { kind: 'sequence', components: ['/_/seq', '/_/inc'] } });
  await w.api('PUT', '/api/v1/namespaces/_/actions/broken', { exec: { kind: 'sequence', components: ['/_/inc', '/_/bad', '/_/double'] } });
}, 90_000);
afterAll(() => w?.stop());

/** GET an activation, waiting until its record is stored (records are written in batches, after the result). */
const stored = (id: string) =>
  eventually(async () => {
    const r = await w.api('GET', `/api/v1/namespaces/_/activations/${id}`);
    return r.status === 200 ? r : undefined;
  });

describe('OpenWhisk sequences on the composition engine', () => {
  it('runs components in order, with OpenWhisk record shapes', async () => {
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/seq?blocking=true', { x: 1 });
    expect(res.status).toBe(200);
    const rec = res.body;
    expect(rec.response.result).toEqual({ x: 4 });
    expect(rec.logs).toHaveLength(2);
    expect(ann(rec, 'kind')).toBe('sequence');
    expect(ann(rec, 'topmost')).toBe(true);
    expect(rec.cause).toBeUndefined();
    // Component records are written in batches: the sequence may answer before the last one is stored.
    const comps = await Promise.all(rec.logs.map((id: string) => stored(id)));
    expect(comps.map((c) => c.body.name)).toEqual(['inc', 'double']);
    for (const c of comps) {
      expect(c.body.cause).toBe(rec.activationId);
      expect(ann(c.body, 'causedBy')).toBe('sequence');
    }
    expect(rec.duration).toBe(comps.reduce((s, c) => s + c.body.duration, 0));
  }, 30_000);

  it('a nested sequence contributes one log entry; its record carries cause and causedBy', async () => {
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/outer?blocking=true&result=true', { x: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ x: 5 });
    const id = res.headers.get('x-openwhisk-activation-id')!;
    const outer = (await stored(id)).body;
    expect(outer.logs).toHaveLength(2);
    const inner = (await stored(outer.logs[0])).body;
    expect(inner.name).toBe('seq');
    expect(inner.cause).toBe(outer.activationId);
    expect(ann(inner, 'causedBy')).toBe('sequence');
    expect(ann(inner, 'topmost')).toBeUndefined();
    expect(inner.logs).toHaveLength(2);
  }, 30_000);

  it('stops at the first failing component and keeps its response', async () => {
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/broken?blocking=true', { x: 1 });
    expect(res.status).toBe(502);
    expect(res.body.response.status).toBe('application error');
    expect(res.body.response.result).toEqual({ error: 'nope' });
    expect(res.body.logs).toHaveLength(2);
  }, 30_000);

  it('non-blocking invoke answers 202 with the sequence activation id', async () => {
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/seq', { x: 2 });
    expect(res.status).toBe(202);
    const rec = await eventually(async () => {
      const r = await w.api('GET', `/api/v1/namespaces/_/activations/${res.body.activationId}`);
      return r.status === 200 ? r.body : undefined;
    }, 20_000);
    expect(rec.response.result).toEqual({ x: 6 });
  }, 30_000);
});

describe('compositions API', () => {
  const base = '/api/v1/namespaces/_/compositions';
  const definition = {
    whirl: '1',
    root: {
      type: 'sequence',
      steps: [
        { type: 'task', action: 'inc' },
        { type: 'choice', branches: [{ when: { '>': [{ var: 'input.x' }, 5] }, do: { type: 'pass', value: 'big' } }], otherwise: { type: 'task', action: 'double' } },
      ],
    },
  };

  it('refuses a bad composition with the path of the offending node', async () => {
    const bad = {
      whirl: '1',
      root: { type: 'sequence', steps: [{ type: 'task', action: 'missing' }, { type: 'while', condition: true, do: { type: 'pass' } }] },
    };
    const res = await w.api('PUT', `${base}/bad`, { definition: bad });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'error']);
    expect(res.body.error).toContain('/root/steps/0/action');
    expect(res.body.error).toContain('/root/steps/1');
  });

  it('create, get, list, invoke blocking and not, status, history, delete', async () => {
    expect((await w.api('PUT', `${base}/flow`, { definition })).status).toBe(200);
    expect((await w.api('PUT', `${base}/flow`, { definition })).status).toBe(409);
    const updated = await w.api('PUT', `${base}/flow?overwrite=true`, { definition });
    expect(updated.body.version).toBe('0.0.2');
    expect((await w.api('GET', `${base}/flow`)).body.definition).toEqual(definition);
    expect((await w.api('GET', base)).body.map((c: any) => c.name)).toContain('flow');

    const blocking = await w.api('POST', `${base}/flow?blocking=true&result=true`, { x: 1 });
    expect(blocking.status).toBe(200);
    expect(blocking.body).toEqual({ x: 4 });

    const started = await w.api('POST', `${base}/flow`, { x: 10 });
    expect(started.status).toBe(202);
    const id = started.body.activationId;
    const status = await eventually(async () => {
      const r = await w.api('GET', `${base}/flow/executions/${id}`);
      return r.body.status === 'succeeded' ? r.body : undefined;
    }, 20_000);
    expect(status.result).toBe('big');
    const history = (await w.api('GET', `${base}/flow/executions/${id}/history`)).body;
    expect(history[0].type).toBe('ExecutionStarted');
    expect(history.at(-1).type).toBe('ExecutionSucceeded');
    expect((await w.api('POST', `${base}/flow/executions/${id}/cancel`)).status).toBe(409);
    expect((await w.api('GET', `${base}/other/executions/${id}`)).status).toBe(404);

    expect((await w.api('DELETE', `${base}/flow`)).status).toBe(200);
    expect((await w.api('GET', `${base}/flow`)).status).toBe(404);
  }, 30_000);

  it('cancels a waiting execution', async () => {
    await w.api('PUT', `${base}/sleepy`, { definition: { whirl: '1', root: { type: 'wait', ms: 600_000 } } });
    const { body } = await w.api('POST', `${base}/sleepy`, {});
    const res = await w.api('POST', `${base}/sleepy/executions/${body.activationId}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
  });

  it('task steps see their idempotency key as __OW_IDEMPOTENCY_KEY', async () => {
    await w.api('PUT', `${base}/keyed`, { definition: { whirl: '1', root: { type: 'task', action: 'key' } } });
    const res = await w.api('POST', `${base}/keyed?blocking=true`, {});
    expect(res.status).toBe(200);
    expect(res.body.response.result.key).toBe(`${res.body.activationId}:/root:1:1`);
  }, 30_000);
});
}
