import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestWhirl, startTestWhirl } from '../helpers/whirl.js';

/**
 * OpenWhisk's API gateway protocol (`whisk.system/apimgmt` createApi/getApi/deleteApi) through the unchanged
 * `openwhisk` npm client's `routes`, and the raw calls `wsk api` makes (`…/createApi.http`, swagger upload), on a
 * whole embedded Whirl: the routes created are served under `/apis/{ns}`.
 */
describe('apimgmt web actions (wsk api, ow.routes)', () => {
  let w: TestWhirl;
  let ow: ReturnType<typeof openwhisk>;
  /** `routes.get` exists in the client but not in its type declarations. */
  let routes: { get(options: object): Promise<unknown> };
  const auth = () => `Basic ${Buffer.from(w.auth).toString('base64')}`;
  const gwCall = async (method: string, op: string, query: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${w.url}/api/v1/web/whisk.system/apimgmt/${op}?${new URLSearchParams(query)}`, {
      method,
      headers: { authorization: auth(), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    w = await startTestWhirl('embedded');
    ow = openwhisk({ apihost: w.url, api_key: w.auth });
    routes = ow.routes as unknown as typeof routes;
    const web = { 'web-export': true };
    await ow.actions.create({ name: 'books', action: 'function main(p) { return { books: ["a", "b"], isbn: p.isbn }; }', annotations: web } as any);
    await ow.actions.create({ name: 'plain', action: 'function main() { return {}; }' });
  }, 90_000);
  afterAll(() => w?.stop());

  it('creates, lists, gets and deletes routes with ow.routes; the route serves its web action', async () => {
    const created: any = await ow.routes.create({ name: 'Book Club', basepath: '/club', relpath: '/books/{isbn}', operation: 'GET', action: 'books' } as any);
    expect(created.gwApiUrl).toBe(`${w.handle.config.http.apiHost}/apis/guest/club`);
    const op = created.apidoc.paths['/books/{isbn}'].get;
    expect(op['x-openwhisk']).toEqual({
      namespace: 'guest',
      package: '',
      action: 'books',
      url: `${w.handle.config.http.apiHost}/api/v1/web/guest/default/books.json`,
    });
    expect(op.parameters).toEqual([{ name: 'isbn', in: 'path', required: true, type: 'string' }]);
    expect(created.apidoc).toMatchObject({ swagger: '2.0', basePath: '/club', info: { title: 'Book Club' } });
    await ow.routes.create({ basepath: '/club', relpath: '/books', operation: 'POST', action: 'books' });

    const served = await fetch(`${w.url}/apis/guest/club/books/123`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual({ books: ['a', 'b'], isbn: '123' });

    const list: any = await ow.routes.list();
    expect(list.apis).toHaveLength(1);
    expect(Object.keys(list.apis[0].value.apidoc.paths).sort()).toEqual(['/books', '/books/{isbn}']);
    const byName: any = await routes.get({ name: 'Book Club' });
    expect(byName.apis[0].value.apidoc.basePath).toBe('/club');
    const byBase: any = await routes.get({ basepath: '/club' });
    expect(byBase.apis).toHaveLength(1);

    await ow.routes.delete({ basepath: '/club', relpath: '/books', operation: 'POST' });
    const after: any = await routes.get({ basepath: '/club' });
    expect(Object.keys(after.apis[0].value.apidoc.paths)).toEqual(['/books/{isbn}']);
    await ow.routes.delete({ basepath: '/club' });
    expect(((await ow.routes.list()) as any).apis).toEqual([]);
    expect((await fetch(`${w.url}/apis/guest/club/books/123`)).status).toBe(404);
  }, 60_000);

  it('speaks wsk api: createApi.http with the CLI apidoc and the response type, getApi.http, deleteApi.http', async () => {
    const apidoc = {
      namespace: 'guest',
      gatewayBasePath: '/shop',
      gatewayPath: '/items',
      gatewayMethod: 'GET',
      id: 'API:guest:/shop',
      action: { name: 'books', namespace: 'guest', backendMethod: 'GET', backendUrl: `${w.url}/api/v1/web/guest/default/books.http`, authkey: w.auth },
    };
    const created = await gwCall('POST', 'createApi.http', { responsetype: 'http' }, { apidoc });
    expect(created.status).toBe(200);
    expect(created.body.apidoc.paths['/items'].get['x-openwhisk'].url).toMatch(/\/books\.http$/);
    const got = await gwCall('GET', 'getApi.http', { basepath: '/shop' });
    expect(got.body.apis[0].value.gwApiUrl).toBe(`${w.handle.config.http.apiHost}/apis/guest/shop`);
    expect((await gwCall('DELETE', 'deleteApi.http', { basepath: '/shop', force: 'true' })).body).toEqual({});
    expect((await gwCall('DELETE', 'deleteApi.http', { basepath: '/shop' })).status).toBe(404);
  });

  it('creates a whole API from swagger (wsk api create --config-file), replacing the base path', async () => {
    await ow.routes.create({ basepath: '/v', relpath: '/old', operation: 'GET', action: 'books' });
    const swagger = {
      swagger: '2.0',
      basePath: '/v',
      info: { title: 'Versioned', version: '1.0.0' },
      paths: {
        '/a': { get: { operationId: 'getA', 'x-openwhisk': { namespace: '_', package: '', action: 'books', url: 'http://x/api/v1/web/_/default/books.json' }, responses: {} } },
        '/b/{id}': {
          parameters: [{ name: 'id', in: 'path', required: true, type: 'string' }],
          post: { operationId: 'postB', 'x-openwhisk': { namespace: 'guest', package: '', action: 'books', url: 'http://x/api/v1/web/guest/default/books.http' }, responses: {} },
        },
      },
    };
    // `wsk` sends the swagger as a JSON string; the npm client sends what it is given.
    const created = await gwCall('POST', 'createApi.http', {}, { apidoc: { namespace: 'guest', swagger: JSON.stringify(swagger) } });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body.apidoc.paths).sort()).toEqual(['/a', '/b/{id}']);
    expect(created.body.apidoc.info.title).toBe('Versioned');
    expect((await fetch(`${w.url}/apis/guest/v/a`)).status).toBe(200);
    const viaClient: any = await ow.routes.create({ swagger: JSON.stringify({ ...swagger, paths: { '/c': swagger.paths['/a'] } }) } as any);
    expect(Object.keys(viaClient.apidoc.paths)).toEqual(['/c']);
    await ow.routes.delete({ basepath: '/v' });
  });

  it('refuses bad input with 4xx {error, code}: no auth, not a web action, another namespace, bad swagger', async () => {
    const noAuth = await fetch(`${w.url}/api/v1/web/whisk.system/apimgmt/getApi.http`);
    expect(noAuth.status).toBe(401);
    await expect(ow.routes.create({ basepath: '/p', relpath: '/x', operation: 'GET', action: 'plain' })).rejects.toMatchObject({ statusCode: 400 });
    await expect(ow.routes.create({ basepath: '/p', relpath: '/x', operation: 'GET', action: '/other/books' })).rejects.toMatchObject({ statusCode: 403 });
    const noOw = await gwCall('POST', 'createApi', {}, { apidoc: { namespace: '_', swagger: { swagger: '2.0', basePath: '/q', info: { title: 'q' }, paths: { '/a': { get: { responses: {} } } } } } });
    expect(noOw.status).toBe(400);
    expect(noOw.body.error).toMatch(/get \/a has no x-openwhisk action/);
    const junk = await gwCall('POST', 'createApi', {}, { apidoc: { namespace: '_', swagger: '{not json' } });
    expect(junk.status).toBe(400);
    expect((await gwCall('POST', 'createApi', {}, {})).status).toBe(400);
    expect((await gwCall('GET', 'nosuch', {})).status).toBe(404);
  });
});
