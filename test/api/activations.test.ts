import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, expectError, hello, startApi } from './harness.js';

const SUMMARY_FIELDS = ['activationId', 'annotations', 'duration', 'end', 'name', 'namespace', 'publish', 'start',
  'statusCode', 'subject', 'version'];
const RECORD_FIELDS = ['activationId', 'annotations', 'duration', 'end', 'logs', 'name', 'namespace', 'publish',
  'response', 'start', 'subject', 'version'];

describe('activations API', () => {
  let api: Api;
  const ids: string[] = []; // in invocation order: 3 of `first`, 2 of `second`
  let first: string;
  let second: string;
  beforeAll(async () => {
    api = await startApi();
    first = `f-${randomUUID()}`;
    second = `s-${randomUUID()}`;
    for (const n of [first, second]) {
      await api.app.inject({ method: 'PUT', url: `/api/v1/namespaces/_/actions/${n}`, headers: { authorization: api.auth }, payload: hello });
    }
    for (const n of [first, first, first, second, second]) {
      const res = await api.app.inject({
        method: 'POST',
        url: `/api/v1/namespaces/_/actions/${n}?blocking=true`,
        headers: { authorization: api.auth },
        payload: { n },
      });
      ids.push(res.json().activationId);
    }
  });
  afterAll(async () => api.close());

  const get = (path: string) =>
    api.app.inject({ method: 'GET', url: `/api/v1/namespaces/_/activations${path}`, headers: { authorization: api.auth } });

  it('lists summaries newest first', async () => {
    const res = await get('');
    expect(res.statusCode).toBe(200);
    const items = res.json() as Array<Record<string, unknown>>;
    expect(items.map((r) => r.activationId)).toEqual([...ids].reverse());
    for (const r of items) {
      expect(Object.keys(r).sort()).toEqual(SUMMARY_FIELDS);
      expect(r.statusCode).toBe(0);
    }
  });

  it('lists full records with docs=true', async () => {
    const items = (await get('?docs=true&limit=1')).json();
    expect(items).toHaveLength(1);
    expect(Object.keys(items[0]).sort()).toEqual(RECORD_FIELDS);
    expect(items[0].response).toEqual({ status: 'success', success: true, result: { n: second } });
  });

  it('filters by name, since/upto, pages, and counts', async () => {
    expect((await get(`?name=${first}`)).json().map((r: { activationId: string }) => r.activationId)).toEqual(
      ids.slice(0, 3).reverse(),
    );
    expect((await get(`?count=true&name=${second}`)).json()).toEqual({ activations: 2 });
    expect((await get('?count=true')).json()).toEqual({ activations: 5 });
    expect((await get('?limit=2&skip=1')).json().map((r: { activationId: string }) => r.activationId)).toEqual([
      ids[3],
      ids[2],
    ]);
    const all = (await get('')).json() as Array<{ activationId: string; start: number }>;
    const third = all.find((r) => r.activationId === ids[2])!;
    const since = (await get(`?since=${third.start}`)).json();
    expect(since.map((r: { activationId: string }) => r.activationId)).toEqual([ids[4], ids[3], ids[2]]);
    const upto = (await get(`?upto=${third.start}`)).json();
    expect(upto.map((r: { activationId: string }) => r.activationId)).toEqual([ids[2], ids[1], ids[0]]);
  });

  it('validates list parameters', async () => {
    expect(expectError(await get('?count=true&docs=true'), 400).error).toBe(
      "The parameter 'docs' is not permitted with 'count'.",
    );
    expectError(await get('?name=a/b/c'), 400);
    expectError(await get(`?name=${encodeURIComponent(' x')}`), 400);
    expectError(await get('?limit=300'), 400);
    expectError(await get('?skip=-2'), 400);
    expectError(await get('?since=yesterday'), 400);
    expect((await get('?name=pkg/a')).json()).toEqual([]);
  });

  it('gets one record, its result and its logs', async () => {
    const id = ids[0]!;
    const rec = await get(`/${id}`);
    expect(rec.statusCode).toBe(200);
    expect(Object.keys(rec.json()).sort()).toEqual(RECORD_FIELDS);
    expect(rec.json()).toMatchObject({ activationId: id, name: first, namespace: api.namespace });
    const result = await get(`/${id}/result`);
    expect(result.json()).toEqual({ result: { n: first }, success: true, status: 'success' });
    const logs = await get(`/${id}/logs`);
    expect(logs.json()).toEqual({ logs: ['2024-01-01T00:00:00.000Z        stdout: hello'] });
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    expectError(await get('/not-an-id'), 400);
    expectError(await get('/not-an-id/result'), 400);
    const unknown = randomUUID().replaceAll('-', '');
    expectError(await get(`/${unknown}`), 404);
    expectError(await get(`/${unknown}/result`), 404);
    expectError(await get(`/${unknown}/logs`), 404);
  });

  it("does not show another namespace's records", async () => {
    const stranger = await api.addSubject(`stranger-${randomUUID()}`);
    const h = { authorization: stranger };
    const res = await api.app.inject({ method: 'GET', url: `/api/v1/namespaces/_/activations/${ids[0]}`, headers: h });
    expectError(res, 404);
    const list = await api.app.inject({ method: 'GET', url: '/api/v1/namespaces/_/activations', headers: h });
    expect(list.json()).toEqual([]);
  });
});
