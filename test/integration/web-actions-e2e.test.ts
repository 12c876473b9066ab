import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/** Web actions and API routes through the whole engine (embedded Whirl: real runtime processes). */
describe('web actions end to end (embedded Whirl)', () => {
  let whirl: TestWhirl;
  const code = `function main(p) {
    if (p.__ow_path === '/fail') return Promise.reject({ statusCode: 409, body: 'conflict: ' + p.__ow_method });
    return { statusCode: 200, headers: { 'x-seen': p.__ow_headers['x-in'] || '' },
             body: '<h1>' + (p.name || 'nobody') + '</h1>', html: '<p>' + p.name + '</p>', text: 'hi ' + p.name };
  }`;
  beforeAll(async () => {
    whirl = await startTestWhirl('embedded');
    const put = await whirl.api('PUT', '/api/v1/namespaces/_/actions/page', {
      exec: { kind: 'nodejs:default', code },
      annotations: [{ key: 'web-export', value: true }],
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await whirl?.stop();
  });

  it('serves each extension from one action', async () => {
    const base = `${whirl.url}/api/v1/web/guest/default/page`;
    const http = await fetch(`${base}.http?name=Ann`, { headers: { 'x-in': 'yes' } });
    expect([http.status, http.headers.get('content-type'), http.headers.get('x-seen'), await http.text()]).toEqual([
      200,
      'text/html; charset=UTF-8',
      'yes',
      '<h1>Ann</h1>',
    ]);
    expect(http.headers.get('x-openwhisk-activation-id')).toMatch(/^[0-9a-f]{32}$/);
    const json = await fetch(`${base}.json?name=Bo`);
    expect(((await json.json()) as { text: string }).text).toBe('hi Bo');
    const text = await fetch(`${base}.text`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Cy"}' });
    expect([text.headers.get('content-type'), await text.text()]).toEqual(['text/plain; charset=UTF-8', '<h1>Cy</h1>']);
    const failed = await fetch(`${base}.http/fail`, { method: 'DELETE' });
    expect([failed.status, await failed.text()]).toEqual([409, 'conflict: delete']);
  });

  it('serves an API route to the web action', async () => {
    const created = await whirl.api('PUT', '/api/v1/namespaces/_/apis', {
      basePath: '/site',
      relPath: '/people/{name}',
      operation: 'GET',
      action: 'page',
      responseType: 'http',
    });
    expect(created.status).toBe(200);
    // The URL is built on WHIRL_API_HOST (port 0 here): keep its path.
    const path = String(created.body.url).slice(String(created.body.url).indexOf('/apis/'));
    const res = await fetch(`${whirl.url}${path.replace('{name}', 'Dee')}`);
    expect([res.status, await res.text()]).toEqual([200, '<h1>Dee</h1>']);
  });
});
