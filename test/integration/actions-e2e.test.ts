import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWith } from '../helpers/services.js';
import { eventually, startTestWhirl, type Mode, type TestWhirl } from '../helpers/whirl.js';

/**
 * The whole path over HTTP: API → queue → invoker → container → store, in the embedded default and on real
 * Redis (BullMQ) + CouchDB protocol (nano → pouchdb-server) + Docker.
 */
function suite(mode: Mode): void {
  let w: TestWhirl;
  beforeAll(async () => {
    w = await startTestWhirl(mode, { WHIRL_IDLE_CONTAINER_MS: '60000' });
  });
  afterAll(async () => {
    await w?.stop();
  });

  const put = (name: string, code: string, extra: Record<string, unknown> = {}) =>
    w.api('PUT', `/api/v1/namespaces/_/actions/${name}?overwrite=true`, { exec: { kind: 'nodejs:default', code }, ...extra });

  it('creates an action and invokes it blocking, cold then warm', async () => {
    const created = await put('hello', `function main(p) { console.log('hi ' + p.name); return { payload: 'Hello ' + p.name }; }`);
    expect(created.status).toBe(200);
    expect(created.body.exec.kind).toBe('nodejs:20');

    const cold = await w.api('POST', '/api/v1/namespaces/_/actions/hello?blocking=true', { name: 'John' });
    expect(cold.status).toBe(200);
    expect(cold.headers.get('x-openwhisk-activation-id')).toBe(cold.body.activationId);
    expect(cold.body.response).toMatchObject({ status: 'success', success: true, result: { payload: 'Hello John' } });
    const coldAnn = Object.fromEntries(cold.body.annotations.map((a: any) => [a.key, a.value]));
    expect(coldAnn).toMatchObject({ path: 'guest/hello', kind: 'nodejs:20', timeout: false });
    expect(typeof coldAnn.initTime).toBe('number');

    const warm = await w.api('POST', '/api/v1/namespaces/_/actions/hello?blocking=true&result=true', { name: 'Ann' });
    expect(warm.status).toBe(200);
    expect(warm.body).toEqual({ payload: 'Hello Ann' });
    const rec = await eventually(async () => {
      const r = await w.api('GET', `/api/v1/namespaces/_/activations/${warm.headers.get('x-openwhisk-activation-id')}`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(rec.annotations.find((a: any) => a.key === 'initTime')).toBeUndefined();
    expect(rec.logs).toHaveLength(1);
    expect(rec.logs[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\s+stdout: hi Ann$/);
  });

  it('non-blocking invoke answers 202 and the record appears with logs and result', async () => {
    await put('echo', `function main(p) { console.error('err line'); return p; }`);
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/echo', { x: 1 });
    expect(res.status).toBe(202);
    expect(res.body.activationId).toMatch(/^[0-9a-f]{32}$/);
    const rec = await eventually(async () => {
      const r = await w.api('GET', `/api/v1/namespaces/_/activations/${res.body.activationId}`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(rec).toMatchObject({ namespace: 'guest', name: 'echo', subject: 'guest', version: '0.0.1' });
    expect(rec.response.result).toEqual({ x: 1 });
    expect(rec.logs.some((l: string) => l.includes('stderr: err line'))).toBe(true);
    const result = await w.api('GET', `/api/v1/namespaces/_/activations/${res.body.activationId}/result`);
    expect(result.body).toMatchObject({ success: true, status: 'success', result: { x: 1 } });
    const logs = await w.api('GET', `/api/v1/namespaces/_/activations/${res.body.activationId}/logs`);
    expect(logs.body.logs).toEqual(rec.logs);
    const list = await w.api('GET', '/api/v1/namespaces/_/activations?name=echo&docs=true');
    expect(list.body[0].activationId).toBe(res.body.activationId);
  });

  it('an application error answers 502 with the error alone', async () => {
    await put('apperr', `function main() { return { error: 'nope', detail: 'dropped' }; }`);
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/apperr?blocking=true');
    expect(res.status).toBe(502);
    expect(res.body.response).toMatchObject({ status: 'application error', success: false, result: { error: 'nope' } });
  });

  it('a throwing action is a developer error, and the next invoke still works', async () => {
    await put('thrower', `let n = 0; function main() { n++; if (n === 1) throw new Error('boom'); return { n }; }`);
    const bad = await w.api('POST', '/api/v1/namespaces/_/actions/thrower?blocking=true');
    expect(bad.status).toBe(502);
    expect(bad.body.response.status).toBe('action developer error');
    const good = await w.api('POST', '/api/v1/namespaces/_/actions/thrower?blocking=true');
    // The failed container was destroyed: a fresh one starts counting from 1 again and throws again.
    expect(good.status).toBe(502);
  });

  it('an action over its time limit ends as a developer error with timeout=true', async () => {
    await put('sleeper', `function main() { return new Promise(r => setTimeout(() => r({}), 5000)); }`, {
      limits: { timeout: 300 },
    });
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/sleeper?blocking=true');
    expect(res.status).toBe(502);
    expect(res.body.response.result.error).toBe('The action exceeded its time limits of 300 milliseconds.');
    expect(res.body.annotations).toContainEqual({ key: 'timeout', value: true });
  });

  it('an action that exhausts its memory is aborted and the invoker stays healthy', async () => {
    await put(
      'hog',
      `function main() { const keep = []; for (;;) keep.push(Buffer.alloc(16 * 1024 * 1024, 1), new Array(1e6).fill(7)); }`,
      { limits: { memory: 128, timeout: 20000 } },
    );
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/hog?blocking=true');
    expect(res.status).toBe(502);
    expect(res.body.response.status).toBe('action developer error');
    expect(res.body.response.result.error).toBe('The action exhausted its memory and was aborted.');
    await put('fine', `function main(p) { return { fine: p.v }; }`);
    const ok = await w.api('POST', '/api/v1/namespaces/_/actions/fine?blocking=true&result=true', { v: 1 });
    expect(ok.body).toEqual({ fine: 1 });
  });

  it('an init failure is reported as such', async () => {
    await put('syntax', `function main( {`);
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/syntax?blocking=true');
    expect(res.status).toBe(502);
    expect(res.body.response.status).toBe('action developer error');
    expect(res.body.response.result.error).toMatch(/initialization/i);
  });

  it('a blocking invoke that outlasts its wait answers 202 and the activation still completes', async () => {
    await put('slow', `function main() { return new Promise(r => setTimeout(() => r({ done: true }), 800)); }`);
    const res = await w.api('POST', '/api/v1/namespaces/_/actions/slow?blocking=true&timeout=100');
    expect(res.status).toBe(202);
    const rec = await eventually(async () => {
      const r = await w.api('GET', `/api/v1/namespaces/_/activations/${res.body.activationId}`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(rec.response.result).toEqual({ done: true });
  });
}

describe('actions end to end — embedded default (in-process queue, file store, local processes)', () => suite('embedded'));
describeWith(['redis', 'couchdb', 'docker'], 'actions end to end — BullMQ + CouchDB protocol + Docker', () => suite('full'));
