import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhirlError } from '../../src/errors/whirl-error.js';
import { type Api, expectError, hello, startApi } from './harness.js';

/** API routes: management under /namespaces/{ns}/apis, serving under /apis/{ns}/… (fake engine echoes args). */
describe('API routes', () => {
  let api: Api;
  const call = (method: string, url: string, payload?: unknown) =>
    api.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: api.auth },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const create = (body: Record<string, unknown>) => call('PUT', '/api/v1/namespaces/_/apis', body);

  beforeAll(async () => {
    api = await startApi();
    for (const [name, annotations] of [
      ['books', [{ key: 'web-export', value: true }]],
      ['plain', []],
    ] as const) {
      const res = await call('PUT', `/api/v1/namespaces/_/actions/${name}`, { ...hello, annotations });
      expect(res.statusCode).toBe(200);
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates routes to web actions and serves them with path parameters and the response type', async () => {
    const res = await create({ basePath: '/library', relPath: '/books/{isbn}', operation: 'get', action: 'books', responseType: 'json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      apiName: '/library',
      basePath: '/library',
      relPath: '/books/{isbn}',
      operation: 'GET',
      action: `/${api.namespace}/books`,
      responseType: 'json',
    });
    expect(res.json().url).toMatch(new RegExp(`/apis/${api.namespace}/library/books/\\{isbn\\}$`));
    expect((await create({ basePath: '/library', relPath: '/books', operation: 'post', action: 'books', responseType: 'http' })).statusCode).toBe(200);

    const got = await api.app.inject({ method: 'GET', url: `/apis/${api.namespace}/library/books/978-3?x=1` });
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toMatchObject({ isbn: '978-3', x: '1', __ow_method: 'get', __ow_path: '/books/978-3' });

    api.engine.result = { statusCode: 201, body: 'made' };
    const posted = await api.app.inject({ method: 'POST', url: `/apis/${api.namespace}/library/books`, payload: { t: 1 } });
    api.engine.result = undefined;
    expect([posted.statusCode, posted.body]).toEqual([201, 'made']);
    expect(api.engine.calls.at(-1)?.payload).toMatchObject({ t: 1, __ow_method: 'post' });

    expectError(await api.app.inject({ method: 'DELETE', url: `/apis/${api.namespace}/library/books` }), 404);
    expectError(await api.app.inject({ method: 'GET', url: `/apis/${api.namespace}/library/other` }), 404);
    expectError(await api.app.inject({ method: 'GET', url: `/apis/${api.namespace}/nothing/books` }), 404);
    const preflight = await api.app.inject({ method: 'OPTIONS', url: `/apis/${api.namespace}/library/books` });
    expect(preflight.statusCode).toBe(200);
    expect(preflight.headers['access-control-allow-methods']).toContain('PATCH');
  });

  it('lists routes, and deletes one verb, a path, or a whole base path', async () => {
    await create({ basePath: '/shop', relPath: '/items', operation: 'get', action: 'books' });
    await create({ basePath: '/shop', relPath: '/items', operation: 'put', action: 'books' });
    await create({ basePath: '/shop', relPath: '/orders', operation: 'get', action: 'books' });
    const listed = await call('GET', '/api/v1/namespaces/_/apis?basepath=/shop');
    expect(listed.json().map((r: any) => `${r.operation} ${r.relPath}`).sort()).toEqual(['GET /items', 'GET /orders', 'PUT /items']);
    expect((await call('GET', '/api/v1/namespaces/_/apis')).json().length).toBeGreaterThanOrEqual(5);

    const one = await call('DELETE', '/api/v1/namespaces/_/apis?basepath=/shop&relpath=/items&operation=put');
    expect(one.json().map((r: any) => r.operation)).toEqual(['PUT']);
    expectError(await api.app.inject({ method: 'PUT', url: `/apis/${api.namespace}/shop/items` }), 404);
    expect((await call('DELETE', '/api/v1/namespaces/_/apis?basepath=/shop&relpath=/items')).json()).toHaveLength(1);
    expect((await call('DELETE', '/api/v1/namespaces/_/apis?basepath=shop')).json()).toHaveLength(1);
    expect((await call('GET', '/api/v1/namespaces/_/apis?basepath=/shop')).json()).toEqual([]);
    expectError(await call('DELETE', '/api/v1/namespaces/_/apis?basepath=/shop'), 404);
    expectError(await call('DELETE', '/api/v1/namespaces/_/apis'), 400);
  });

  it('refuses non-web actions, missing actions, other namespaces and malformed routes', async () => {
    const base = { basePath: '/x', relPath: '/y', operation: 'get' };
    const notWeb = new WhirlError('WHIRL_API_NOT_WEB_ACTION', [`/${api.namespace}/plain`]).message;
    expect(expectError(await create({ ...base, action: 'plain' }), 400).error).toBe(notWeb);
    expectError(await create({ ...base, action: 'missing' }), 404);
    expectError(await create({ ...base, action: '/someone-else/books' }), 403);
    for (const bad of [
      { ...base, basePath: 'x', action: 'books' },
      { ...base, basePath: '/a/b', action: 'books' },
      { ...base, relPath: 'y', action: 'books' },
      { ...base, operation: 'fetch', action: 'books' },
      { ...base, action: 'books', responseType: 'xml' },
      { ...base },
    ]) {
      expectError(await create(bad), 400);
    }
    expectError(await api.app.inject({ method: 'GET', url: '/api/v1/namespaces/_/apis' }), 401);
  });
});

describe('GET /namespaces/{ns}/limits', () => {
  it('reports the namespace throttles (with per-namespace overrides) and the action limits', async () => {
    const api = await startApi({ WHIRL_THROTTLE_INVOCATIONS_PER_MINUTE: '60', WHIRL_THROTTLE_NAMESPACES: '{"other":{"firesPerMinute":5}}' });
    try {
      const res = await api.app.inject({ method: 'GET', url: '/api/v1/namespaces/_/limits', headers: { authorization: api.auth } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ invocationsPerMinute: 60, concurrentInvocations: 0, firesPerMinute: 0, maxActionMemory: 512 * 1024 * 1024 });
    } finally {
      await api.close();
    }
  });
});
