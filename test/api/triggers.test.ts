import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, expectError, hello, startApi } from './harness.js';

const TRIGGER_FIELDS = ['annotations', 'limits', 'name', 'namespace', 'parameters', 'publish', 'updated', 'version'];

describe('triggers and rules API', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  const req = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, payload?: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({
      method,
      url: `/api/v1/namespaces/_${path}`,
      headers: { authorization: api.auth, ...headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const unique = (p: string) => `${p}-${randomUUID().slice(0, 8)}`;

  async function setup(opts: { triggerParams?: unknown[]; actionParams?: unknown[] } = {}) {
    const t = unique('t');
    const a = unique('a');
    const r = unique('r');
    expect((await req('PUT', `/triggers/${t}`, { parameters: opts.triggerParams ?? [] })).statusCode).toBe(200);
    expect((await req('PUT', `/actions/${a}`, { ...hello, parameters: opts.actionParams ?? [] })).statusCode).toBe(200);
    const rule = await req('PUT', `/rules/${r}`, { trigger: `/_/${t}`, action: `/_/${a}` });
    expect(rule.statusCode, rule.body).toBe(200);
    return { t, a, r, rule: rule.json() };
  }

  it('creates a trigger with the OpenWhisk shape', async () => {
    const t = unique('t');
    const res = await req('PUT', `/triggers/${t}`, {});
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual(TRIGGER_FIELDS);
    expect(res.json()).toMatchObject({ name: t, namespace: api.namespace, version: '0.0.1', annotations: [], limits: {} });
    expectError(await req('PUT', `/triggers/${t}`, {}), 409);
  });

  it('fires with no rule: 204 and no record', async () => {
    const t = unique('t');
    await req('PUT', `/triggers/${t}`, {});
    const res = await req('POST', `/triggers/${t}`, { x: 1 });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectError(await req('POST', `/triggers/${unique('t')}`, {}), 404);
  });

  it('creates an active rule that the trigger records; the rule shape matches OpenWhisk', async () => {
    const { t, a, r, rule } = await setup();
    expect(rule).toMatchObject({
      name: r,
      namespace: api.namespace,
      status: 'active',
      trigger: { path: api.namespace, name: t },
      action: { path: api.namespace, name: a },
      version: '0.0.1',
    });
    const trig = (await req('GET', `/triggers/${t}`)).json();
    expect(trig.rules).toEqual({ [`${api.namespace}/${r}`]: { action: { path: api.namespace, name: a }, status: 'active' } });
  });

  it('fires: 202, a trigger activation with one log line per rule, and the action gets payload over parameters', async () => {
    const { t, a, r } = await setup({
      triggerParams: [
        { key: 'fromTrigger', value: 1 },
        { key: 'over', value: 'trigger' },
      ],
      actionParams: [{ key: 'fromAction', value: 2 }],
    });
    const before = api.engine.calls.length;
    const res = await req('POST', `/triggers/${t}`, { over: 'payload' }, { 'x-custom': 'yes' });
    expect(res.statusCode, res.body).toBe(202);
    const { activationId } = res.json();
    expect(activationId).toMatch(/^[0-9a-f]{32}$/);

    expect(api.engine.calls.length).toBe(before + 1);
    const call = api.engine.calls.at(-1)!;
    expect(call.action.name).toBe(a);
    expect(call.blocking).toBe(false);
    expect(call.cause).toBe(activationId);
    expect(call.payload).toMatchObject({ fromTrigger: 1, over: 'payload' });
    const headers = (call.payload as { __ow_headers: Record<string, string> }).__ow_headers;
    expect(headers['x-custom']).toBe('yes');
    expect(headers).not.toHaveProperty('authorization');

    const rec = await req('GET', `/activations/${activationId}`);
    expect(rec.statusCode).toBe(200);
    const record = rec.json();
    expect(record).toMatchObject({ name: t, namespace: api.namespace, response: { success: true, status: 'success' } });
    expect(record.response.result).toEqual({ fromTrigger: 1, over: 'payload' });
    expect(record.logs).toHaveLength(1);
    const line = JSON.parse(record.logs[0]);
    expect(line).toEqual({
      statusCode: 0,
      success: true,
      activationId: expect.stringMatching(/^[0-9a-f]{32}$/),
      rule: `${api.namespace}/${r}`,
      action: `${api.namespace}/${a}`,
    });
  });

  it('disables and enables a rule; a disabled rule does not fire', async () => {
    const { t, r } = await setup();
    const off = await req('POST', `/rules/${r}`, { status: 'inactive' });
    expect(off.statusCode).toBe(200);
    expect(off.json().status).toBe('inactive');
    expect((await req('GET', `/rules/${r}`)).json().status).toBe('inactive');
    expect((await req('POST', `/triggers/${t}`, {})).statusCode).toBe(204);
    // Same status again is a no-op.
    expect((await req('POST', `/rules/${r}`, { status: 'inactive' })).statusCode).toBe(200);
    expect((await req('POST', `/rules/${r}`, { status: 'active' })).json().status).toBe('active');
    expect((await req('POST', `/triggers/${t}`, {})).statusCode).toBe(202);
    expectError(await req('POST', `/rules/${r}`, { status: 'sleepy' }), 400);
  });

  it('logs an error line for a rule whose action is gone, and still fires the others', async () => {
    const { t, a } = await setup();
    const a2 = unique('a');
    const r2 = unique('r');
    await req('PUT', `/actions/${a2}`, hello);
    await req('PUT', `/rules/${r2}`, { trigger: t, action: a2 });
    await req('DELETE', `/actions/${a}`);
    const res = await req('POST', `/triggers/${t}`, {});
    expect(res.statusCode).toBe(202);
    const logs = (await req('GET', `/activations/${res.json().activationId}`)).json().logs.map((l: string) => JSON.parse(l));
    expect(logs).toHaveLength(2);
    const failed = logs.find((l: { action: string }) => l.action.endsWith(`/${a}`));
    const ok = logs.find((l: { action: string }) => l.action.endsWith(`/${a2}`));
    expect(failed).toMatchObject({ success: false, statusCode: 1 });
    expect(typeof failed.error).toBe('string');
    expect(ok).toMatchObject({ success: true, statusCode: 0 });
  });

  it('refuses rules on missing triggers or actions (404), and enabling a rule whose trigger is gone', async () => {
    const { t, a, r } = await setup();
    expectError(await req('PUT', `/rules/${unique('r')}`, { trigger: unique('t'), action: a }), 404);
    expectError(await req('PUT', `/rules/${unique('r')}`, { trigger: t, action: unique('a') }), 404);
    expectError(await req('PUT', `/rules/${unique('r')}`, { trigger: t }), 400);
    await req('POST', `/rules/${r}`, { status: 'inactive' });
    await req('DELETE', `/triggers/${t}`);
    expectError(await req('POST', `/rules/${r}`, { status: 'active' }), 404);
  });

  it('deleting a rule removes it from its trigger; updating a rule can move it to another trigger', async () => {
    const { t, a, r } = await setup();
    const t2 = unique('t');
    await req('PUT', `/triggers/${t2}`, {});
    const moved = await req('PUT', `/rules/${r}?overwrite=true`, { trigger: `/_/${t2}`, action: `/_/${a}` });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ version: '0.0.2', status: 'active', trigger: { name: t2 } });
    expect((await req('GET', `/triggers/${t}`)).json().rules).toEqual({});
    expect((await req('POST', `/triggers/${t2}`, {})).statusCode).toBe(202);
    expect((await req('DELETE', `/rules/${r}`)).statusCode).toBe(200);
    expect((await req('GET', `/triggers/${t2}`)).json().rules).toEqual({});
    expectError(await req('GET', `/rules/${r}`), 404);
  });

  it('targets packaged actions', async () => {
    const pkg = unique('pkg');
    const t = unique('t');
    await req('PUT', `/packages/${pkg}`, { parameters: [{ key: 'fromPackage', value: true }] });
    await req('PUT', `/actions/${pkg}/inner`, hello);
    await req('PUT', `/triggers/${t}`, {});
    const rule = await req('PUT', `/rules/${unique('r')}`, { trigger: t, action: `${pkg}/inner` });
    expect(rule.json().action).toEqual({ path: `${api.namespace}/${pkg}`, name: 'inner' });
    expect((await req('POST', `/triggers/${t}`, { x: 1 })).statusCode).toBe(202);
    const call = api.engine.calls.at(-1)!;
    expect(call.action.name).toBe('inner');
    expect(Object.fromEntries(call.action.parameters.map((p) => [p.key, p.value]))).toEqual({ fromPackage: true });
  });

  it('lists triggers and rules with counts; trigger PUT keeps rules on update', async () => {
    const { t } = await setup();
    const upd = await req('PUT', `/triggers/${t}?overwrite=true`, { parameters: [{ key: 'k', value: 1 }] });
    expect(Object.keys(upd.json().rules)).toHaveLength(1);
    expect(upd.json().version).toBe('0.0.2');
    const triggers = await req('GET', '/triggers?limit=0');
    expect(triggers.json().length).toBe((await req('GET', '/triggers?count=true')).json().triggers);
    const rules = await req('GET', '/rules?limit=0');
    expect(rules.json().length).toBe((await req('GET', '/rules?count=true')).json().rules);
    expect(rules.json()[0]).toHaveProperty('status');
    expectError(await req('PATCH' as 'GET', `/triggers/${t}`), 405);
  });
});
