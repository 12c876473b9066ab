import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors/codes.js';
import { type Api, basic, expectError, hello, startApi } from './harness.js';

/** Web action routes over the fake engine: request → arguments, result → response, auth, CORS, 202. */
describe('web actions /api/v1/web', () => {
  let api: Api;
  const put = async (name: string, annotations: Array<{ key: string; value: unknown }>, parameters: unknown[] = []) => {
    const res = await api.app.inject({
      method: 'PUT',
      url: `/api/v1/namespaces/_/actions/${name}?overwrite=true`,
      headers: { authorization: api.auth },
      payload: { ...hello, annotations, parameters },
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const web = (path: string, opts: { method?: string; headers?: Record<string, string>; payload?: string | Buffer } = {}) =>
    api.app.inject({
      method: (opts.method ?? 'GET') as 'GET',
      url: `/api/v1/web/${api.namespace}/default/${path}`,
      headers: opts.headers ?? {},
      ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
    });
  const lastArgs = () => api.engine.calls.at(-1)?.payload as Record<string, unknown>;
  const message = (code: keyof typeof ErrorCodes) => ErrorCodes[code].message;

  beforeAll(async () => {
    api = await startApi();
    await put('echo', [{ key: 'web-export', value: true }]);
    await put('hidden', []);
    await put('raw', [
      { key: 'web-export', value: true },
      { key: 'raw-http', value: true },
    ]);
    await put('fixed', [
      { key: 'web-export', value: true },
      { key: 'final', value: true },
    ], [{ key: 'name', value: 'Jane' }]);
    await put('secret', [
      { key: 'web-export', value: true },
      { key: 'require-whisk-auth', value: 'let-me-in' },
    ]);
    await put('members', [
      { key: 'web-export', value: true },
      { key: 'require-whisk-auth', value: true },
    ]);
    await put('custom', [
      { key: 'web-export', value: true },
      { key: 'web-custom-options', value: true },
    ]);
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(() => {
    api.engine.statusCode = 0;
    api.engine.result = undefined;
    api.engine.finishInTime = true;
  });

  it('passes method, lower-cased headers, extra path and query as arguments, runs as the namespace owner', async () => {
    const res = await web('echo.json/a/b?x=1&y=two', { headers: { 'X-Custom': 'v' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-openwhisk-activation-id']).toMatch(/^[0-9a-f]{32}$/);
    const args = res.json();
    expect(args).toMatchObject({ __ow_method: 'get', __ow_path: '/a/b', x: '1', y: 'two' });
    expect(args.__ow_headers['x-custom']).toBe('v');
    expect(args.__ow_user).toBeUndefined();
    expect(api.engine.calls.at(-1)?.identity.namespace).toBe(api.namespace);
    expect(api.engine.calls.at(-1)?.blocking).toBe(true);
  });

  it('merges a JSON object body over the query; other bodies arrive as __ow_body', async () => {
    await web('echo.json?a=q&b=q', { method: 'POST', headers: { 'content-type': 'application/json' }, payload: '{"b":"body"}' });
    expect(lastArgs()).toMatchObject({ __ow_method: 'post', a: 'q', b: 'body' });
    await web('echo.json', { method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'f=1&g=2' });
    expect(lastArgs()).toMatchObject({ __ow_method: 'put', f: '1', g: '2' });
    await web('echo.json', { method: 'POST', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(lastArgs().__ow_body).toBe('hello');
    await web('echo.json', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from([1, 2, 3]) });
    expect(lastArgs().__ow_body).toBe(Buffer.from([1, 2, 3]).toString('base64'));
    await web('echo.json', { method: 'POST', headers: { 'content-type': 'application/json' }, payload: '[1,2]' });
    expect(lastArgs().__ow_body).toEqual([1, 2]);
  });

  it('raw-http actions get the query string as __ow_query and the body as __ow_body (JSON base64-encoded)', async () => {
    await web('raw.json/p?x=1&x=2', { method: 'POST', headers: { 'content-type': 'application/json' }, payload: '{"a":1}' });
    expect(lastArgs()).toMatchObject({ __ow_query: 'x=1&x=2', __ow_path: '/p', __ow_body: Buffer.from('{"a":1}').toString('base64') });
    expect(lastArgs().a).toBeUndefined();
    await web('raw.json');
    expect(lastArgs()).toMatchObject({ __ow_query: '', __ow_body: '' });
  });

  it('refuses reserved __ow_ properties and overriding final parameters (400)', async () => {
    expectError(await web('echo.json?__ow_method=post'), 400);
    expectError(await web('fixed.json?name=Joe'), 400);
    expect((await web('fixed.json?other=1')).statusCode).toBe(200);
  });

  it('is 404 for actions not exported, unknown actions, packages and namespaces', async () => {
    for (const path of ['hidden.json', 'nope.json']) expectError(await web(path), 404);
    expectError(await api.app.inject({ method: 'GET', url: `/api/v1/web/${api.namespace}/pkg/echo.json` }), 404);
    expectError(await api.app.inject({ method: 'GET', url: '/api/v1/web/no-such-ns/default/echo.json' }), 404);
  });

  it('require-whisk-auth: a string must match X-Require-Whisk-Auth; true needs valid credentials (then __ow_user)', async () => {
    expectError(await web('secret.json'), 401);
    expectError(await web('secret.json', { headers: { 'x-require-whisk-auth': 'wrong' } }), 401);
    expect((await web('secret.json', { headers: { 'x-require-whisk-auth': 'let-me-in' } })).statusCode).toBe(200);
    expectError(await web('members.json'), 401);
    expectError(await web('members.json', { headers: { authorization: basic('nobody:wrong') } }), 401);
    const ok = await web('members.json', { headers: { authorization: api.auth } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().__ow_user).toBe(api.namespace);
  });

  it('answers OPTIONS with CORS itself unless web-custom-options, which passes it to the action', async () => {
    const res = await web('echo.http', { method: 'OPTIONS', headers: { 'access-control-request-headers': 'X-Foo' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH');
    expect(res.headers['access-control-allow-headers']).toBe('X-Foo');
    const calls = api.engine.calls.length;
    api.engine.result = { statusCode: 204, headers: { 'access-control-allow-origin': 'https://x.test' } };
    const custom = await web('custom.http', { method: 'OPTIONS' });
    expect(custom.statusCode).toBe(204);
    expect(custom.headers['access-control-allow-origin']).toBe('https://x.test');
    expect(custom.headers['access-control-allow-methods']).toBeUndefined();
    expect(api.engine.calls.length).toBe(calls + 1);
  });

  it('shapes .http responses from statusCode, headers and body; no extension means .http', async () => {
    api.engine.result = { statusCode: 201, headers: { 'X-Multi': ['a', 'b'], 'Set-Cookie': 'c=1' }, body: '<p>hi</p>' };
    const res = await web('echo');
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('text/html; charset=UTF-8');
    expect(res.headers['x-multi']).toEqual(['a', 'b']);
    expect(res.body).toBe('<p>hi</p>');
    api.engine.result = { headers: { 'content-type': 'image/png' }, body: Buffer.from([137, 80, 78, 71]).toString('base64') };
    const png = await web('echo.http');
    expect(png.headers['content-type']).toBe('image/png');
    expect([...png.rawPayload]).toEqual([137, 80, 78, 71]);
    api.engine.result = { body: { a: 1 } };
    expect((await web('echo.http')).json()).toEqual({ a: 1 });
    api.engine.result = { headers: { 'x-a': 1 } };
    const empty = await web('echo.http');
    expect(empty.statusCode).toBe(204);
    expect(empty.body).toBe('');
  });

  it('refuses results that do not fit .http', async () => {
    for (const result of [{ statusCode: 'abc' }, { headers: { a: { b: 1 } } }, { statusCode: 99 }]) {
      api.engine.result = result;
      expect(expectError(await web('echo.http'), 400).error).toBe(message('WHIRL_WEB_INVALID_MEDIA').replace('{0}', 'message/http'));
    }
    api.engine.result = { headers: { 'content-type': 'text/plain' }, body: { a: 1 } };
    expect(expectError(await web('echo.http'), 400).error).toBe(message('WHIRL_WEB_CONTENT_TYPE_MISMATCH'));
  });

  it('.html, .svg, .text and .json take their field or refuse the result', async () => {
    api.engine.result = { html: '<b>x</b>' };
    let res = await web('echo.html');
    expect([res.statusCode, res.headers['content-type'], res.body]).toEqual([200, 'text/html; charset=UTF-8', '<b>x</b>']);
    api.engine.result = { svg: '<svg/>' };
    res = await web('echo.svg');
    expect([res.statusCode, res.headers['content-type'], res.body]).toEqual([200, 'image/svg+xml', '<svg/>']);
    api.engine.result = { text: 'plain' };
    res = await web('echo.text');
    expect([res.statusCode, res.headers['content-type'], res.body]).toEqual([200, 'text/plain; charset=UTF-8', 'plain']);
    api.engine.result = { body: 42 };
    expect((await web('echo.text')).body).toBe('42');
    api.engine.result = { other: 1 };
    expectError(await web('echo.html'), 400);
    expectError(await web('echo.text'), 404);
  });

  it('an application error is transcoded from its error field; developer errors are 400', async () => {
    api.engine.statusCode = 1;
    api.engine.result = { error: { statusCode: 418, body: 'teapot' } };
    const res = await web('echo.http');
    expect([res.statusCode, res.body]).toEqual([418, 'teapot']);
    api.engine.statusCode = 2;
    api.engine.result = { error: 'boom' };
    expect(expectError(await web('echo.http'), 400).error).toBe(message('WHIRL_WEB_PROCESSING_ERROR'));
  });

  it('answers 202 "Response not yet ready." when the action outlasts the blocking wait', async () => {
    api.engine.finishInTime = false;
    const res = await web('echo.json');
    expect(expectError(res, 202).error).toBe(message('WHIRL_WEB_NOT_READY'));
    expect(res.headers['x-openwhisk-activation-id']).toMatch(/^[0-9a-f]{32}$/);
  });
});
