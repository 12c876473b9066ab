import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, expectError, startApi } from './harness.js';

describe('info, CORS, request ids and routing errors', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  it('GET / describes the platform without auth', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.api_paths).toEqual(['/api/v1']);
    expect(body.limits.sequence_length).toBe(50);
    expect(body.limits.max_action_memory).toBe(512 * 1024 * 1024);
    // OpenWhisk's manifest shape: per family, each kind with its image and flags.
    const entry = { deprecated: false, attached: false, requireMain: false };
    expect(body.runtimes).toEqual({
      nodejs: [{ kind: 'nodejs:20', image: 'whirl/runtime-nodejs:20', default: true, ...entry }],
      python: [
        { kind: 'python:3', image: 'whirl/runtime-python:3', default: true, ...entry },
        { kind: 'python:3.11', image: 'whirl/runtime-python:3', default: false, ...entry },
      ],
    });
  });

  it('GET /api/v1 names the API version', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ api_version: '1.0.0', api_version_path: 'v1', build: expect.any(String) });
  });

  it('GET /ping answers pong', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/ping' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('pong');
  });

  it('answers OPTIONS with the CORS headers, and puts them on every response', async () => {
    const pre = await api.app.inject({ method: 'OPTIONS', url: '/api/v1/namespaces/_/actions/x' });
    expect(pre.statusCode).toBe(200);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(pre.headers['access-control-allow-methods']).toBe('GET, DELETE, POST, PUT, HEAD');
    expect(pre.headers['access-control-allow-headers']).toContain('Authorization');
    const err = await api.app.inject({ method: 'GET', url: '/api/v1/namespaces' });
    expect(err.headers['access-control-allow-origin']).toBe('*');
  });

  it('keeps a well-formed X-Request-ID from the request and replaces a malformed one', async () => {
    const kept = await api.app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'tx-123' } });
    expect(kept.headers['x-request-id']).toBe('tx-123');
    expect(expectError(kept, 404).code).toBe('tx-123');
    const replaced = await api.app.inject({ method: 'GET', url: '/ping', headers: { 'x-request-id': 'a b<c>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    expectError(await api.app.inject({ method: 'GET', url: '/api/v2/whatever' }), 404);
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/namespaces/_/nothing', headers: { authorization: api.auth } });
    expect(expectError(res, 404).error).toBe('The requested resource does not exist.');
  });

  it('answers unsupported methods on known resources with 405', async () => {
    const h = { authorization: api.auth };
    expectError(await api.app.inject({ method: 'POST', url: '/api/v1/namespaces', headers: h }), 405);
    expectError(await api.app.inject({ method: 'DELETE', url: '/api/v1/namespaces/_/actions', headers: h }), 405);
    expectError(await api.app.inject({ method: 'PATCH', url: '/api/v1/namespaces/_/actions/a', headers: h }), 405);
    expectError(await api.app.inject({ method: 'PUT', url: '/api/v1/namespaces/_/activations', headers: h }), 405);
    expectError(await api.app.inject({ method: 'POST', url: '/api/v1' }), 405);
  });

  it('refuses bodies that are not JSON with 415', async () => {
    const res = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/namespaces/_/actions/a',
      headers: { authorization: api.auth, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expectError(res, 415);
  });
});
