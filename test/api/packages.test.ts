import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, expectError, hello, startApi } from './harness.js';

const PACKAGE_FIELDS = ['annotations', 'binding', 'name', 'namespace', 'parameters', 'publish', 'updated', 'version'];

describe('packages API and packaged actions', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  const req = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, payload?: unknown, auth = api.auth) =>
    api.app.inject({
      method,
      url: `/api/v1/namespaces/_${path}`,
      headers: { authorization: auth },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const unique = (p = 'p') => `${p}-${randomUUID().slice(0, 8)}`;

  it('creates a package with the OpenWhisk shape, then 409 without overwrite', async () => {
    const name = unique();
    const res = await req('PUT', `/packages/${name}`, { parameters: [{ key: 'a', value: 1 }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual(PACKAGE_FIELDS);
    expect(res.json()).toMatchObject({ namespace: api.namespace, name, version: '0.0.1', publish: false, binding: {} });
    expectError(await req('PUT', `/packages/${name}`, {}), 409);
    const upd = await req('PUT', `/packages/${name}?overwrite=true`, { publish: true });
    expect(upd.json()).toMatchObject({ version: '0.0.2', publish: true, parameters: [{ key: 'a', value: 1 }] });
  });

  it('reserves "default" and refuses invalid names', async () => {
    expectError(await req('PUT', '/packages/default', {}), 400);
    expectError(await req('PUT', `/packages/${encodeURIComponent(' bad')}`, {}), 400);
  });

  it('answers POST on a package with 405 and unknown packages with 404', async () => {
    expectError(await req('POST', `/packages/${unique()}`, {}), 405);
    expectError(await req('GET', `/packages/${unique()}`), 404);
  });

  it('stores actions in a package, lists them, and serves them in the package GET', async () => {
    const pkg = unique();
    await req('PUT', `/packages/${pkg}`, {});
    const put = await req('PUT', `/actions/${pkg}/a1`, hello);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().namespace).toBe(`${api.namespace}/${pkg}`);
    const list = await req('GET', `/actions/${pkg}/`);
    expect(list.json().map((a: { name: string }) => a.name)).toEqual(['a1']);
    const got = await req('GET', `/packages/${pkg}`);
    expect(got.json().actions).toEqual([expect.objectContaining({ name: 'a1', version: '0.0.1' })]);
    expect(got.json().feeds).toEqual([]);
    // The action is not one of the namespace's own.
    expectError(await req('GET', '/actions/a1'), 404);
  });

  it('refuses actions in a missing package (404) and deleting a non-empty package without force (409)', async () => {
    expectError(await req('PUT', `/actions/${unique()}/a`, hello), 404);
    const pkg = unique();
    await req('PUT', `/packages/${pkg}`, {});
    await req('PUT', `/actions/${pkg}/a`, hello);
    expectError(await req('DELETE', `/packages/${pkg}`), 409);
    expect((await req('DELETE', `/packages/${pkg}?force=true`)).statusCode).toBe(200);
    expectError(await req('GET', `/actions/${pkg}/a`), 404);
  });

  it('merges parameters package < binding < action < invocation', async () => {
    const pkg = unique();
    const bnd = unique('b');
    await req('PUT', `/packages/${pkg}`, {
      parameters: [
        { key: 'p', value: 'package' },
        { key: 'b', value: 'package' },
        { key: 'a', value: 'package' },
        { key: 'i', value: 'package' },
      ],
    });
    await req('PUT', `/actions/${pkg}/act`, {
      ...hello,
      parameters: [
        { key: 'a', value: 'action' },
        { key: 'i', value: 'action' },
      ],
    });
    const b = await req('PUT', `/packages/${bnd}`, {
      binding: { namespace: '_', name: pkg },
      parameters: [
        { key: 'b', value: 'binding' },
        { key: 'a', value: 'binding' },
      ],
    });
    expect(b.statusCode, b.body).toBe(200);
    expect(b.json().binding).toEqual({ namespace: api.namespace, name: pkg });

    const direct = await req('POST', `/actions/${pkg}/act?blocking=true&result=true`, { i: 'invoke' });
    expect(direct.statusCode, direct.body).toBe(200);
    const viaPkg = api.engine.calls.at(-1)!;
    expect(viaPkg.action.parameters).toEqual([
      { key: 'p', value: 'package' },
      { key: 'b', value: 'package' },
      { key: 'a', value: 'action' },
      { key: 'i', value: 'action' },
    ]);
    expect(viaPkg.payload).toEqual({ i: 'invoke' });

    const bound = await req('POST', `/actions/${bnd}/act?blocking=true`, { i: 'invoke' });
    expect(bound.statusCode, bound.body).toBe(200);
    const viaBinding = api.engine.calls.at(-1)!;
    expect(viaBinding.action.namespace).toBe(`${api.namespace}/${pkg}`);
    expect(Object.fromEntries(viaBinding.action.parameters.map((p) => [p.key, p.value]))).toEqual({
      p: 'package',
      b: 'binding',
      a: 'action',
      i: 'action',
    });
    // The binding's GET shows the bound package's actions and the merged parameters.
    const got = (await req('GET', `/packages/${bnd}`)).json();
    expect(got.actions.map((a: { name: string }) => a.name)).toEqual(['act']);
    expect(Object.fromEntries(got.parameters.map((p: { key: string; value: unknown }) => [p.key, p.value]))).toMatchObject({
      p: 'package',
      b: 'binding',
    });
  });

  it('refuses to override bound parameters of a final action (400)', async () => {
    const pkg = unique();
    await req('PUT', `/packages/${pkg}`, { parameters: [{ key: 'secret', value: 's' }] });
    await req('PUT', `/actions/${pkg}/f`, { ...hello, annotations: [{ key: 'final', value: true }] });
    expectError(await req('POST', `/actions/${pkg}/f`, { secret: 'x' }), 400);
    expect((await req('POST', `/actions/${pkg}/f`, { other: 1 })).statusCode).toBe(202);
  });

  it('refuses writes through a binding, bindings to bindings, missing targets, and kind changes', async () => {
    const pkg = unique();
    const bnd = unique('b');
    await req('PUT', `/packages/${pkg}`, {});
    await req('PUT', `/packages/${bnd}`, { binding: { namespace: '_', name: pkg } });
    expectError(await req('PUT', `/actions/${bnd}/x`, hello), 400);
    expectError(await req('DELETE', `/actions/${bnd}/x`), 400);
    expectError(await req('PUT', `/packages/${unique('b')}`, { binding: { namespace: '_', name: bnd } }), 400);
    expectError(await req('PUT', `/packages/${unique('b')}`, { binding: { namespace: '_', name: unique() } }), 400);
    expectError(await req('PUT', `/packages/${pkg}?overwrite=true`, { binding: { namespace: '_', name: pkg } }), 409);
    // A binding holds no actions: deleting it needs no force.
    expect((await req('DELETE', `/packages/${bnd}`)).statusCode).toBe(200);
  });

  it('binds to another namespace only when its package is published', async () => {
    const otherNs = `other-${randomUUID().slice(0, 8)}`;
    const other = await api.addSubject(otherNs);
    const shared = unique('shared');
    const hidden = unique('hidden');
    await req('PUT', `/packages/${shared}`, { publish: true, parameters: [{ key: 'k', value: 'v' }] }, other);
    await req('PUT', `/packages/${hidden}`, {}, other);
    await req('PUT', `/actions/${shared}/tool`, hello, other);
    expectError(await req('PUT', `/packages/${unique('b')}`, { binding: { namespace: otherNs, name: hidden } }), 400);
    const bnd = unique('b');
    expect((await req('PUT', `/packages/${bnd}`, { binding: { namespace: otherNs, name: shared } })).statusCode).toBe(200);
    const inv = await req('POST', `/actions/${bnd}/tool?blocking=true`, {});
    expect(inv.statusCode, inv.body).toBe(200);
    const call = api.engine.calls.at(-1)!;
    expect(call.identity.namespace).toBe(api.namespace);
    expect(call.action.namespace).toBe(`${otherNs}/${shared}`);
    // Unpublishing hides it again.
    await req('PUT', `/packages/${shared}?overwrite=true`, { publish: false }, other);
    expectError(await req('POST', `/actions/${bnd}/tool`, {}), 404);
  });

  it('shares published packages of another namespace read-only; the rest of it stays 403', async () => {
    const otherNs = `other-${randomUUID().slice(0, 8)}`;
    const other = await api.addSubject(otherNs);
    const shared = unique('shared');
    const hidden = unique('hidden');
    await req('PUT', `/packages/${shared}`, { publish: true }, other);
    await req('PUT', `/packages/${hidden}`, {}, other);
    await req('PUT', `/actions/${shared}/tool`, hello, other);
    await req('PUT', `/actions/${hidden}/secret`, hello, other);
    await req('PUT', '/actions/plain', hello, other);
    const at = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, payload?: unknown) =>
      api.app.inject({ method, url: `/api/v1/namespaces/${otherNs}${path}`, headers: { authorization: api.auth }, ...(payload ? { payload } : {}) });

    const list = await at('GET', '/packages');
    expect(list.statusCode).toBe(200);
    expect(list.json().map((p: { name: string }) => p.name)).toEqual([shared]);
    expect((await at('GET', '/packages?count=true')).json()).toEqual({ packages: 1 });
    const got = await at('GET', `/packages/${shared}`);
    expect(got.statusCode).toBe(200);
    expect(got.json().actions.map((a: { name: string }) => a.name)).toEqual(['tool']);
    expect((await at('GET', `/actions/${shared}/tool`)).statusCode).toBe(200);
    expect((await at('GET', `/actions/${shared}/`)).statusCode).toBe(200);
    const inv = await at('POST', `/actions/${shared}/tool?blocking=true`, {});
    expect(inv.statusCode).toBe(200);
    expect(api.engine.calls.at(-1)!.identity.namespace).toBe(api.namespace);

    expectError(await at('GET', `/packages/${hidden}`), 403);
    expectError(await at('GET', `/actions/${hidden}/secret`), 403);
    expectError(await at('POST', `/actions/${hidden}/secret`, {}), 403);
    expectError(await at('GET', `/actions/${hidden}/`), 403);
    expectError(await at('GET', '/actions/plain'), 403);
    expectError(await at('GET', '/actions'), 403);
    expectError(await at('PUT', `/actions/${shared}/mine`, hello), 403);
    expectError(await at('DELETE', `/actions/${shared}/tool`), 403);
    expectError(await at('PUT', `/packages/${shared}?overwrite=true`, { publish: false }), 403);
    expectError(await at('DELETE', `/packages/${shared}`), 403);
  });

  it('lists and counts packages', async () => {
    const list = await req('GET', '/packages?limit=200');
    expect(list.statusCode).toBe(200);
    expect(Array.isArray(list.json())).toBe(true);
    expect(list.json()[0]).not.toHaveProperty('parameters');
    const count = await req('GET', '/packages?count=true');
    expect(count.json().packages).toBe(list.json().length);
  });
});
