import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, expectError, hello, startApi } from './harness.js';

const ACTION_FIELDS = ['annotations', 'exec', 'limits', 'name', 'namespace', 'parameters', 'publish', 'updated', 'version'];
const SUMMARY_FIELDS = ['annotations', 'exec', 'limits', 'name', 'namespace', 'publish', 'updated', 'version'];

describe('actions API', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi({ WHIRL_LIMIT_SEQUENCE_LENGTH: '3', WHIRL_LIMIT_CODE_BYTES: '4096', WHIRL_LIMIT_PARAMETER_BYTES: '2048' });
  });
  afterAll(async () => api.close());

  const req = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, payload?: unknown) =>
    api.app.inject({
      method,
      url: `/api/v1/namespaces/_/actions${path}`,
      headers: { authorization: api.auth },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const unique = () => `a-${randomUUID()}`;

  it('creates an action with the OpenWhisk shape, resolving the default kind and adding system annotations', async () => {
    const name = unique();
    const res = await req('PUT', `/${name}`, { ...hello, parameters: [{ key: 'x', value: 1 }] });
    expect(res.statusCode).toBe(200);
    const a = res.json();
    expect(Object.keys(a).sort()).toEqual(ACTION_FIELDS);
    expect(a).toMatchObject({
      namespace: api.namespace,
      name,
      version: '0.0.1',
      publish: false,
      exec: { kind: 'nodejs:20', code: hello.exec.code, binary: false },
      parameters: [{ key: 'x', value: 1 }],
      annotations: [
        { key: 'provide-api-key', value: false },
        { key: 'exec', value: 'nodejs:20' },
      ],
      limits: { timeout: 60000, memory: 256, logs: 10, concurrency: 1 },
    });
    expect(typeof a.updated).toBe('number');
    const got = await req('GET', `/${name}`);
    expect(got.json()).toEqual(a);
  });

  it('omits exec.code with code=false', async () => {
    const name = unique();
    await req('PUT', `/${name}`, hello);
    const res = await req('GET', `/${name}?code=false`);
    expect(res.json().exec).toEqual({ kind: 'nodejs:20', binary: false });
  });

  it('answers 409 to a PUT on an existing action without overwrite', async () => {
    const name = unique();
    await req('PUT', `/${name}`, hello);
    expect(expectError(await req('PUT', `/${name}`, hello), 409).error).toBe('resource already exists');
  });

  it('updates with overwrite: merges omitted fields, bumps the version, applies delAnnotations', async () => {
    const name = unique();
    await req('PUT', `/${name}`, { ...hello, annotations: [{ key: 'web-export', value: true }, { key: 'k', value: 'v' }] });
    const res = await req('PUT', `/${name}?overwrite=true`, {
      parameters: [{ key: 'p', value: 'q' }],
      limits: { memory: 512 },
      delAnnotations: ['k'],
    });
    expect(res.statusCode).toBe(200);
    const a = res.json();
    expect(a.version).toBe('0.0.2');
    expect(a.exec.code).toBe(hello.exec.code);
    expect(a.parameters).toEqual([{ key: 'p', value: 'q' }]);
    expect(a.limits).toEqual({ timeout: 60000, memory: 512, logs: 10, concurrency: 1 });
    expect(a.annotations.map((x: { key: string }) => x.key)).toEqual(['web-export', 'provide-api-key', 'exec']);
    expect((await req('PUT', `/${name}?overwrite=true`, {})).json().version).toBe('0.0.3');
  });

  it('creates with overwrite=true when absent', async () => {
    const res = await req('PUT', `/${unique()}?overwrite=true`, hello);
    expect(res.statusCode).toBe(200);
  });

  it('deletes, returning the deleted action; then 404', async () => {
    const name = unique();
    const created = (await req('PUT', `/${name}`, hello)).json();
    const del = await req('DELETE', `/${name}`);
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual(created);
    expectError(await req('GET', `/${name}`), 404);
    expectError(await req('DELETE', `/${name}`), 404);
    expectError(await req('POST', `/${name}`), 404);
  });

  it('validates the PUT body', async () => {
    const bad: Array<[string, unknown, number]> = [
      ['missing exec', {}, 400],
      ['unsupported kind', { exec: { kind: 'cobol:1', code: 'x' } }, 400],
      ['code kind without code', { exec: { kind: 'nodejs:20' } }, 400],
      ['blackbox without image', { exec: { kind: 'blackbox' } }, 400],
      ['limit out of range', { ...hello, limits: { memory: 4096 } }, 400],
      ['non-integer limit', { ...hello, limits: { timeout: 'soon' } }, 400],
      ['schema violation', { exec: 5 }, 400],
      ['code too large', { exec: { kind: 'nodejs:20', code: 'x'.repeat(5000) } }, 413],
      ['parameters too large', { ...hello, parameters: [{ key: 'big', value: 'y'.repeat(3000) }] }, 413],
      ['empty sequence', { exec: { kind: 'sequence', components: [] } }, 400],
      ['sequence with missing component', { exec: { kind: 'sequence', components: ['/_/nope'] } }, 400],
    ];
    for (const [, body, status] of bad) expectError(await req('PUT', `/${unique()}`, body), status);
    const kind = await req('PUT', `/${unique()}`, { exec: { kind: 'cobol:1', code: 'x' } });
    expect(kind.json().error).toContain('nodejs:20');
  });

  it('rejects an invalid action name', async () => {
    expectError(await req('PUT', `/${encodeURIComponent(' bad')}`, hello), 400);
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await api.app.inject({
      method: 'PUT',
      url: `/api/v1/namespaces/_/actions/${unique()}`,
      headers: { authorization: api.auth, 'content-type': 'application/json' },
      payload: '{"exec": ',
    });
    expectError(res, 400);
  });

  it('infers binary, accepts blackbox with an image', async () => {
    const zip = Buffer.from('PK\u0003\u0004 some zip bytes').toString('base64');
    const bin = await req('PUT', `/${unique()}`, { exec: { kind: 'nodejs:20', code: zip, binary: false } });
    expect(bin.json().exec.binary).toBe(true);
    const bb = await req('PUT', `/${unique()}`, { exec: { kind: 'blackbox', image: 'whirl/runtime-blackbox:1' } });
    expect(bb.statusCode).toBe(200);
    expect(bb.json().exec).toEqual({ kind: 'blackbox', image: 'whirl/runtime-blackbox:1', binary: false });
  });

  it('refuses, on the embedded defaults, a blackbox image that needs a container engine', async () => {
    const refused = await req('PUT', `/${unique()}`, { exec: { kind: 'blackbox', image: 'me/img' } });
    expect(expectError(refused, 400).error).toContain("The image 'me/img' needs a container engine (Docker)");
  });

  it('creates sequences with fully qualified components and checks cycles and length', async () => {
    const a = unique();
    const b = unique();
    await req('PUT', `/${a}`, hello);
    await req('PUT', `/${b}`, hello);
    const s = unique();
    const seq = await req('PUT', `/${s}`, { exec: { kind: 'sequence', components: [a, `/_/${b}`] }, parameters: [{ key: 'z', value: 1 }] });
    expect(seq.statusCode).toBe(200);
    expect(seq.json().exec).toEqual({ kind: 'sequence', components: [`/${api.namespace}/${a}`, `/${api.namespace}/${b}`] });
    expect(seq.json().parameters).toEqual([]);
    expect(seq.json().annotations).toContainEqual({ key: 'exec', value: 'sequence' });

    expectError(await req('PUT', `/${s}?overwrite=true`, { exec: { kind: 'sequence', components: [s] } }), 400);
    const outer = unique();
    await req('PUT', `/${outer}`, { exec: { kind: 'sequence', components: [s] } });
    const cyclic = await req('PUT', `/${s}?overwrite=true`, { exec: { kind: 'sequence', components: [outer] } });
    expect(expectError(cyclic, 400).error).toBe('Sequence may not refer to itself.');
    // The limit is 3 inlined atomic actions: `outer` inlines 2, plus 2 more.
    const long = await req('PUT', `/${unique()}`, { exec: { kind: 'sequence', components: [outer, a, b] } });
    expect(expectError(long, 400).error).toBe('Too many actions in the sequence.');
    const foreign = await req('PUT', `/${unique()}`, { exec: { kind: 'sequence', components: [`/elsewhere/${a}`] } });
    expect(expectError(foreign, 400).error).toBe('Sequence component does not exist.');
  });

  it('answers 404 for packaged action paths until packages exist', async () => {
    expectError(await req('GET', '/pkg/a'), 404);
    expectError(await req('PUT', '/pkg/a', hello), 404);
    expectError(await req('POST', '/pkg/a'), 404);
    expectError(await req('GET', '/pkg/'), 404);
  });
});

describe('actions list', () => {
  let api: Api;
  const names: string[] = [];
  beforeAll(async () => {
    api = await startApi();
    for (let i = 0; i < 5; i++) {
      const name = `l${i}-${randomUUID()}`;
      names.push(name);
      await api.app.inject({
        method: 'PUT',
        url: `/api/v1/namespaces/_/actions/${name}`,
        headers: { authorization: api.auth },
        payload: hello,
      });
      await new Promise((r) => setTimeout(r, 3)); // distinct `updated`
    }
  });
  afterAll(async () => api.close());

  const list = (qs = '') =>
    api.app.inject({ method: 'GET', url: `/api/v1/namespaces/_/actions${qs}`, headers: { authorization: api.auth } });

  it('lists summaries, most recently updated first', async () => {
    const res = await list();
    expect(res.statusCode).toBe(200);
    const items = res.json() as Array<Record<string, unknown>>;
    expect(items.map((a) => a.name)).toEqual([...names].reverse());
    for (const a of items) {
      expect(Object.keys(a).sort()).toEqual(SUMMARY_FIELDS);
      expect(a.exec).toEqual({ binary: false });
    }
  });

  it('pages with limit and skip, counts with count=true', async () => {
    expect((await list('?limit=2&skip=1')).json().map((a: { name: string }) => a.name)).toEqual([names[3], names[2]]);
    expect((await list('?limit=0')).json()).toHaveLength(5);
    expect((await list('?count=true')).json()).toEqual({ actions: 5 });
  });

  it('rejects limits outside 0..200 and negative skips', async () => {
    const res = await list('?limit=201');
    expect(expectError(res, 400).error).toBe("The value '201' is not in the range of 0 to 200 for actions.");
    expectError(await list('?limit=-1'), 400);
    expectError(await list('?skip=-1'), 400);
    expectError(await list('?limit=many'), 400);
  });
});
