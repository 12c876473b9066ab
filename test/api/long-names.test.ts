import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH } from '../../src/domain/names.js';
import { type Api, expectError, hello, startApi } from './harness.js';

/** Names of up to 256 characters (OpenWhisk's limit, `src/domain/names.ts`) work on every route that takes one. */
describe('256-character names', () => {
  let api: Api;
  const long = (c: string) => c.repeat(MAX_NAME_LENGTH);
  const call = (method: string, url: string, payload?: unknown) =>
    api.app.inject({ method: method as 'GET', url, headers: { authorization: api.auth }, ...(payload !== undefined ? { payload: payload as object } : {}) });

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates, reads, invokes and deletes entities with 256-character names', async () => {
    const pkg = long('p');
    const action = long('a');
    const trigger = long('t');
    const rule = long('r');
    expect((await call('PUT', `/api/v1/namespaces/_/packages/${pkg}`, {})).statusCode).toBe(200);
    const annotations = [{ key: 'web-export', value: true }];
    expect((await call('PUT', `/api/v1/namespaces/_/actions/${action}`, { ...hello, annotations })).statusCode).toBe(200);
    expect((await call('PUT', `/api/v1/namespaces/_/actions/${pkg}/${action}`, hello)).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/namespaces/_/actions/${pkg}/${action}`)).json().name).toBe(action);
    expect((await call('POST', `/api/v1/namespaces/_/actions/${action}?blocking=true`, {})).statusCode).toBe(200);
    expect((await call('PUT', `/api/v1/namespaces/_/triggers/${trigger}`, {})).statusCode).toBe(200);
    expect((await call('PUT', `/api/v1/namespaces/_/rules/${rule}`, { trigger: `/_/${trigger}`, action: `/_/${action}` })).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/namespaces/_/rules/${rule}`)).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/namespaces/_/activations?name=${action}`)).statusCode).toBe(200);
    const page = await api.app.inject({ method: 'GET', url: `/api/v1/web/${api.namespace}/default/${action}.json` });
    expect(page.statusCode, page.body).toBe(200);
    expect((await call('DELETE', `/api/v1/namespaces/_/rules/${rule}`)).statusCode).toBe(200);
    expect((await call('DELETE', `/api/v1/namespaces/_/actions/${action}`)).statusCode).toBe(200);
  });

  it('a percent-encoded 256-character name still routes; 257 characters is an invalid name, not a router error', async () => {
    const spaced = `a${' '.repeat(MAX_NAME_LENGTH - 2)}b`;
    const put = await call('PUT', `/api/v1/namespaces/_/actions/${encodeURIComponent(spaced)}`, hello);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().name).toBe(spaced);
    expect(expectError(await call('PUT', `/api/v1/namespaces/_/actions/${'a'.repeat(MAX_NAME_LENGTH + 1)}`, hello), 400).error).toContain('not valid');
  });
});
