import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownRoutes, OPENAPI_PATH } from '../../src/api/plugins/openapi.js';
import { type Api, startApi } from './harness.js';

/** `/api/v1/namespaces/:ns/actions/:name` → `/api/v1/namespaces/{ns}/actions/{name}` (OpenAPI's path template). */
const template = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('OpenAPI document', () => {
  let api: Api;
  let doc: any;
  beforeAll(async () => {
    api = await startApi();
    const res = await api.app.inject({ method: 'GET', url: OPENAPI_PATH });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json();
  });
  afterAll(async () => api.close());

  it('is served without auth and validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('documents every route fastify knows, except those that only answer errors', () => {
    const routes = knownRoutes(api.app);
    expect(routes.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const route of routes.filter((r) => !r.undocumented)) {
      for (const method of route.methods.filter((m) => m !== 'HEAD')) {
        if (!doc.paths?.[template(route.url)]?.[method.toLowerCase()]) missing.push(`${method} ${route.url}`);
      }
    }
    expect(missing).toEqual([]);
    // And nothing else: every documented operation is a route.
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const real = new Set(routes.flatMap((r) => r.methods.map((m) => `${m} ${template(r.url)}`)));
    expect(documented.filter((op) => !real.has(op))).toEqual([]);
  });

  it('leaves out only routes that answer 404/405 (or are console assets and CORS)', async () => {
    const hidden = knownRoutes(api.app).filter((r) => r.undocumented && !r.url.startsWith('/console') && r.url !== '*');
    expect(hidden.length).toBeGreaterThan(0);
    for (const route of hidden) {
      const url = route.url.replace(/:\w+/g, '_').replace(/\*$/, 'x');
      for (const method of route.methods.filter((m) => ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'].includes(m))) {
        const res = await api.app.inject({ method: method as any, url, headers: { authorization: api.auth } });
        expect([404, 405], `${method} ${url}`).toContain(res.statusCode);
      }
    }
  });

  it('carries the route schemas: parameters, bodies, shared components, responses, auth', () => {
    const action = doc.paths['/api/v1/namespaces/{ns}/actions/{name}'];
    expect(action.put.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ActionPut');
    expect(action.get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/Action');
    expect(action.get.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:ns', 'path:name', 'query:code']),
    );
    expect(action.get.security).toEqual([{ basicAuth: [] }]);
    expect(doc.components.schemas.ErrorResponse.required).toEqual(['error', 'code']);
    // A route that declares no params schema still documents its path parameters.
    const list = doc.paths['/api/v1/namespaces/{ns}/actions'].get;
    expect(list.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['path:ns', 'query:limit']));
    expect(doc.paths['/metrics'].get).toBeDefined();
    expect(doc.paths['/api/v1'].get.security).toBeUndefined();
  });
});
