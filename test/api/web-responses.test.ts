import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATA_POLICY, WEB_PAGE_POLICY } from '../../src/api/plugins/origin-policy.js';
import { type Api, expectError, hello, startApi } from './harness.js';

/** What reaches the client from an action's `.http` result, and the headers Whirl puts around it. */
describe('web action responses', () => {
  let api: Api;
  const web = (path: string) => api.app.inject({ method: 'GET', url: `/api/v1/web/${api.namespace}/default/${path}` });

  beforeAll(async () => {
    api = await startApi();
    const res = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/namespaces/_/actions/page',
      headers: { authorization: api.auth },
      payload: { ...hello, annotations: [{ key: 'web-export', value: true }] },
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(() => {
    api.engine.statusCode = 0;
    api.engine.result = undefined;
    api.engine.finishInTime = true;
  });

  const policies = (header: string | string[] | number | undefined) => (Array.isArray(header) ? header : [String(header)]);


  it('sandboxes every web action answer, beside any policy the action sets, errors included', async () => {
    api.engine.result = { headers: { 'Content-Security-Policy': "default-src *; script-src * 'unsafe-inline'" }, body: '<p>x</p>' };
    const page = await web('page.http');
    expect(page.statusCode).toBe(200);
    expect(policies(page.headers['content-security-policy'])).toEqual(["default-src *; script-src * 'unsafe-inline'", WEB_PAGE_POLICY]);
    api.engine.result = { body: '<p>x</p>' };
    expect(policies((await web('page.html')).headers['content-security-policy'])).toEqual([WEB_PAGE_POLICY]);
    const missing = await web('nothing.html');
    expectError(missing, 404);
    expect(policies(missing.headers['content-security-policy'])).toEqual([WEB_PAGE_POLICY]);
  });

  it('sandboxes API answers with no allowance; the console alone runs in the origin', async () => {
    const info = await api.app.inject({ method: 'GET', url: '/api/v1' });
    expect(info.headers['content-security-policy']).toBe(DATA_POLICY);
    expect(info.headers['x-content-type-options']).toBe('nosniff');
    const unknown = await api.app.inject({ method: 'GET', url: '/console-not/x' });
    expect(unknown.headers['content-security-policy']).toBe(DATA_POLICY);
    const index = await api.app.inject({ method: 'GET', url: '/console/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['cross-origin-opener-policy']).toBe('same-origin');
    // A path that only spells like the console is still sandboxed (routing decides, not the URL text).
    const dotted = await api.app.inject({ method: 'GET', url: `/console/../api/v1/web/${api.namespace}/default/page.html` });
    expect(dotted.headers['cross-origin-opener-policy']).toBeUndefined();
  });

  it('an invalid header name or value from the action is 502 {error, code}, nothing of it sent', async () => {
    for (const headers of [{ 'X-A': 'a\r\nSet-Cookie: stolen=1' }, { 'X-A': 'a\nb' }, { 'X-A': 'nul\u0000' }, { 'Bad Name': 'x' }, { 'X-A\r\nX-B': 'x' }, { '': 'x' }]) {
      api.engine.result = { headers, body: 'x' };
      const res = await web('page.http');
      expect(expectError(res, 502).error).toContain('not valid HTTP');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('require-whisk-auth: only the exact token passes (compared as digests, so lengths do not matter)', async () => {
    const res = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/namespaces/_/actions/guarded',
      headers: { authorization: api.auth },
      payload: { ...hello, annotations: [{ key: 'web-export', value: true }, { key: 'require-whisk-auth', value: 'let-me-in' }] },
    });
    expect(res.statusCode).toBe(200);
    const get = (token?: string) =>
      api.app.inject({ method: 'GET', url: `/api/v1/web/${api.namespace}/default/guarded.json`, headers: token === undefined ? {} : { 'x-require-whisk-auth': token } });
    api.engine.result = { ok: true };
    expect((await get('let-me-in')).statusCode).toBe(200);
    for (const wrong of [undefined, '', 'let-me-i', 'let-me-inn', 'LET-ME-IN']) expectError(await get(wrong), 401);
  });
});
