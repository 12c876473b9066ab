import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi } from './harness.js';

/** The real `openwhisk` npm client, unchanged, against the server on a real socket. */
describe('openwhisk npm client compatibility', () => {
  let api: Api;
  let ow: ReturnType<typeof openwhisk>;
  beforeAll(async () => {
    api = await startApi();
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.app.server.address() as AddressInfo;
    ow = openwhisk({ apihost: `http://127.0.0.1:${port}`, api_key: api.key });
  });
  afterAll(async () => api.close());

  it('creates, invokes, reads the activation, lists and deletes', async () => {
    const name = `hello-${randomUUID()}`;
    const created = await ow.actions.create({ name, action: 'function main(p) { return {payload: "Hello " + p.name}; }' });
    expect(created).toMatchObject({ name, namespace: api.namespace, exec: { kind: 'nodejs:20' } });

    const activation = await ow.actions.invoke({ name, blocking: true, params: { name: 'John' } });
    expect(activation.response?.success).toBe(true);
    expect(activation.response?.result).toEqual({ name: 'John' }); // the fake engine echoes the payload
    const result = await ow.actions.invoke({ name, blocking: true, result: true, params: { name: 'Jane' } });
    expect(result).toEqual({ name: 'Jane' });

    const fetched = await ow.activations.get({ name: activation.activationId });
    expect(fetched.activationId).toBe(activation.activationId);
    expect(fetched.name).toBe(name);
    expect(await ow.activations.result({ name: activation.activationId })).toMatchObject({ success: true });
    expect((await ow.activations.logs({ name: activation.activationId })).logs).toHaveLength(1);
    const activations = await ow.activations.list({ name });
    expect(activations.map((a) => a.activationId)).toContain(activation.activationId);

    const actions = await ow.actions.list();
    expect(actions.map((a) => a.name)).toContain(name);
    await ow.actions.delete({ name });
    await expect(ow.actions.get({ name })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('surfaces Whirl errors as OpenWhisk errors with the status and message', async () => {
    const name = `dup-${randomUUID()}`;
    await ow.actions.create({ name, action: 'function main() { return {}; }' });
    await expect(ow.actions.create({ name, action: 'function main() { return {}; }' })).rejects.toMatchObject({
      statusCode: 409,
    });
    await ow.actions.update({ name, action: 'function main() { return {v: 2}; }' });
    expect((await ow.actions.get({ name })).version).toBe('0.0.2');
    await ow.actions.delete({ name });
  });
});
