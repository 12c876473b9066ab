import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Api, expectError, hello, startApi } from './harness.js';

const RECORD_FIELDS = ['activationId', 'annotations', 'duration', 'end', 'logs', 'name', 'namespace', 'publish',
  'response', 'start', 'subject', 'version'];

describe('invoke API', () => {
  let api: Api;
  let name: string;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());
  beforeEach(async () => {
    api.engine.statusCode = 0;
    api.engine.result = undefined;
    api.engine.finishInTime = true;
    name = `a-${randomUUID()}`;
    await put(name, { ...hello, parameters: [{ key: 'bound', value: 'b' }] });
  });

  const put = (n: string, body: unknown) =>
    api.app.inject({ method: 'PUT', url: `/api/v1/namespaces/_/actions/${n}`, headers: { authorization: api.auth }, payload: body as object });
  const invoke = (qs: string, payload?: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'POST',
      url: `/api/v1/namespaces/_/actions/${name}${qs}`,
      ...(payload === undefined
        ? { headers: { authorization: api.auth, ...headers } }
        : {
            headers: { authorization: api.auth, 'content-type': 'application/json', ...headers },
            payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
          }),
    });

  it('answers a non-blocking invoke with 202 {activationId} and the activation header', async () => {
    const res = await invoke('', { x: 1 });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['activationId']);
    expect(body.activationId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers['x-openwhisk-activation-id']).toBe(body.activationId);
    const call = api.engine.calls.at(-1)!;
    expect(call.blocking).toBe(false);
    expect(call.payload).toEqual({ x: 1 });
    expect(call.action.name).toBe(name);
    expect(call.identity.namespace).toBe(api.namespace);
    expect(call.transactionId).toBe(res.headers['x-request-id']);
    expect(call.waitMs).toBe(60_000);
    expect(typeof call.revision).toBe('string');
  });

  it('answers a successful blocking invoke with 200 and the served record', async () => {
    const res = await invoke('?blocking=true', { name: 'John' });
    expect(res.statusCode).toBe(200);
    const rec = res.json();
    expect(Object.keys(rec).sort()).toEqual(RECORD_FIELDS);
    expect(rec.response).toEqual({ status: 'success', success: true, result: { name: 'John' } });
    expect(rec.namespace).toBe(api.namespace);
    expect(res.headers['x-openwhisk-activation-id']).toBe(rec.activationId);
  });

  it('answers result=true with the result only', async () => {
    const res = await invoke('?blocking=true&result=true', { name: 'John' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: 'John' });
  });

  it('passes an array body through and treats an empty body as {}', async () => {
    const arr = await invoke('?blocking=true&result=true', [1, 2]);
    expect(arr.json()).toEqual([1, 2]);
    const empty = await invoke('?blocking=true&result=true');
    expect(empty.statusCode).toBe(200);
    expect(api.engine.calls.at(-1)!.payload).toEqual({});
    const emptyJson = await invoke('?blocking=true', '');
    expect(emptyJson.statusCode).toBe(200);
    expect(api.engine.calls.at(-1)!.payload).toEqual({});
  });

  it('answers 502 for application and developer errors, 500 for whisk errors', async () => {
    api.engine.result = { error: 'boom', extra: 1 };
    api.engine.statusCode = 1;
    const app = await invoke('?blocking=true', {});
    expect(app.statusCode).toBe(502);
    expect(app.json().response).toEqual({ status: 'application error', success: false, result: { error: 'boom' } });
    const appResult = await invoke('?blocking=true&result=true', {});
    expect(appResult.statusCode).toBe(502);
    expect(appResult.json()).toEqual({ error: 'boom' });
    api.engine.statusCode = 2;
    expect((await invoke('?blocking=true', {})).statusCode).toBe(502);
    api.engine.statusCode = 3;
    const whisk = await invoke('?blocking=true', {});
    expect(whisk.statusCode).toBe(500);
    expect(whisk.json().response.status).toBe('whisk internal error');
  });

  it('answers 202 when a blocking invoke does not finish in time, passing the timeout to the engine', async () => {
    api.engine.finishInTime = false;
    const res = await invoke('?blocking=true&timeout=250', {});
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ activationId: res.headers['x-openwhisk-activation-id'] });
    expect(api.engine.calls.at(-1)!.waitMs).toBe(250);
  });

  it('rejects timeouts outside 1..maxBlockingWait', async () => {
    expect(expectError(await invoke('?blocking=true&timeout=0', {}), 400).error).toBe(
      'Timeout must be number of milliseconds up to 60000.',
    );
    expectError(await invoke('?blocking=true&timeout=60001', {}), 400);
  });

  it('answers 404 for an unknown action', async () => {
    name = `missing-${randomUUID()}`;
    expectError(await invoke('?blocking=true', {}), 404);
  });

  it('rejects malformed JSON and non-object payloads with 400', async () => {
    expectError(await invoke('', '{"a":'), 400);
    expectError(await invoke('', '5'), 400);
  });

  it('refuses a body over 1 MB with 413 and the OpenWhisk message', async () => {
    const big = { data: 'x'.repeat(1_100_000) };
    const res = await invoke('', big);
    expect(expectError(res, 413).error).toMatch(/^Request larger than allowed: \d+ > \d+ bytes\.$/);
  });

  it('refuses overriding parameters of a `final` action', async () => {
    name = `final-${randomUUID()}`;
    await put(name, { ...hello, parameters: [{ key: 'bound', value: 'b' }], annotations: [{ key: 'final', value: true }] });
    expectError(await invoke('', { bound: 'other' }), 400);
    expect((await invoke('', { free: 1 })).statusCode).toBe(202);
  });

  it('serves a freshly updated action to invokes in this process (the cache is invalidated)', async () => {
    await invoke('?blocking=true', {});
    const before = api.engine.calls.at(-1)!.action.version;
    await put(`${name}?overwrite=true`, { parameters: [] });
    await invoke('?blocking=true', {});
    expect(api.engine.calls.at(-1)!.action.version).not.toBe(before);
  });
});

describe('invoke payload limit', () => {
  it('counts bound parameters with the body against maxPayloadBytes', async () => {
    const api = await startApi({ WHIRL_LIMIT_PAYLOAD_BYTES: '2000', WHIRL_LIMIT_PARAMETER_BYTES: '2000' });
    try {
      const name = `p-${randomUUID()}`;
      const h = { authorization: api.auth };
      await api.app.inject({
        method: 'PUT',
        url: `/api/v1/namespaces/_/actions/${name}`,
        headers: h,
        payload: { ...hello, parameters: [{ key: 'p', value: 'x'.repeat(1500) }] },
      });
      const url = `/api/v1/namespaces/_/actions/${name}`;
      expect((await api.app.inject({ method: 'POST', url, headers: h, payload: { a: 'y'.repeat(100) } })).statusCode).toBe(202);
      expectError(await api.app.inject({ method: 'POST', url, headers: h, payload: { a: 'y'.repeat(600) } }), 413);
    } finally {
      await api.close();
    }
  });
});
