import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/**
 * Explicit bad input against a live embedded Whirl (docs/bad-input.md): every answer is the right status with
 * OpenWhisk's `{error, code}` and nothing else, never a 5xx. Requests go through raw `node:http` so paths reach the
 * server byte for byte (fetch would normalise `..`).
 */
const RESULT_LIMIT = 2048;
const PAYLOAD_LIMIT = 64 * 1024;

interface Raw {
  status: number;
  body: unknown;
  contentType: string;
}

let whirl: TestWhirl;
let authHeader: string;

function raw(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Raw> {
  const url = new URL(whirl.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          authorization: authHeader,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON: the assertion below reports it */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, contentType: String(res.headers['content-type'] ?? '') });
        });
      },
    );
    // The server may answer (413) and close before a huge body is fully written.
    req.on('error', reject);
    req.end(body);
  });
}

/** `{error, code}` and nothing else, with one of the expected statuses. */
function expectErrorBody(res: Raw, statuses: number[]): void {
  expect(statuses, `status ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`).toContain(res.status);
  expect(res.contentType).toMatch(/^application\/json/);
  expect(Object.keys(res.body as object).sort()).toEqual(['code', 'error']);
  const { error, code } = res.body as { error: unknown; code: unknown };
  expect(typeof error).toBe('string');
  expect(typeof code).toBe('string');
}

const NS = '/api/v1/namespaces/_';
const ACTION = JSON.stringify({ exec: { kind: 'nodejs:20', code: 'function main(p) { return p; }' } });

/** Every entity route that takes a name, with a valid body for PUT. */
const ENTITY_ROUTES: { base: string; put: string }[] = [
  { base: `${NS}/actions`, put: ACTION },
  { base: `${NS}/actions/pkgx`, put: ACTION },
  { base: `${NS}/packages`, put: '{}' },
  { base: `${NS}/triggers`, put: '{}' },
  { base: `${NS}/rules`, put: JSON.stringify({ trigger: 't', action: 'a' }) },
  { base: `${NS}/compositions`, put: JSON.stringify({ definition: { type: 'action', name: 'a' } }) },
];

const BAD_NAMES = ['..', '%2e%2e', '%2E%2E', '.%2e', '..%2f..%2fetc', 'a%2fb', '%2F', 'a%5cb', '%00', 'caf%C3%A9', '%F0%9F%98%80', '%20x', 'x%20', '-a'];

beforeAll(async () => {
  whirl = await startTestWhirl('embedded', {
    WHIRL_LIMIT_RESULT_BYTES: String(RESULT_LIMIT),
    WHIRL_LIMIT_PAYLOAD_BYTES: String(PAYLOAD_LIMIT),
  });
  authHeader = `Basic ${Buffer.from(whirl.auth).toString('base64')}`;
}, 60_000);

afterAll(async () => {
  await whirl?.stop();
});

describe('malformed and deeply nested JSON', () => {
  it.each(['{', '{"exec":', 'nul', '{"a":1,}', "{'a':1}", '\u0000', '[1,2', '{"a":"\\x"}'])('%j is 400 WHIRL_INVALID_JSON', async (body) => {
    expectErrorBody(await raw('PUT', `${NS}/actions/malformed`, body), [400]);
    expectErrorBody(await raw('POST', `${NS}/triggers/malformed`, body), [400]);
  });

  it('a body nested deeper than 1000 levels is 400; 1000 levels are accepted', async () => {
    const at = (depth: number) => `{"exec":{"kind":"nodejs:20","code":"x"},"parameters":[{"key":"k","value":${'['.repeat(depth - 3)}${']'.repeat(depth - 3)}}]}`;
    expect((await raw('PUT', `${NS}/actions/deep-ok?overwrite=true`, at(1000))).status).toBe(200);
    expectErrorBody(await raw('PUT', `${NS}/actions/deep-ko?overwrite=true`, at(1001)), [400]);
    // Brackets inside strings do not count.
    const inString = JSON.stringify({ exec: { kind: 'nodejs:20', code: '['.repeat(5000) } });
    expect((await raw('PUT', `${NS}/actions/deep-str?overwrite=true`, inString)).status).toBe(200);
  });

  it('a deeply nested body (arrays and objects) is answered without a 5xx', async () => {
    const depth = 20_000;
    const arrays = '['.repeat(depth) + ']'.repeat(depth);
    const objects = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    for (const value of [arrays, objects]) {
      const put = await raw('PUT', `${NS}/actions/deep?overwrite=true`, `{"exec":{"kind":"nodejs:20","code":"x"},"parameters":[{"key":"k","value":${value}}]}`);
      expectErrorBody(put, [400]);
      const fire = await raw('POST', `${NS}/triggers/nope-deep`, value);
      expectErrorBody(fire, [400, 404, 413]);
    }
  });

  it('a body that is JSON but not an object is 400 where an object is required', async () => {
    for (const body of ['[]', '42', '"s"', 'null', 'true']) {
      expectErrorBody(await raw('PUT', `${NS}/packages/notobj`, body), [400]);
    }
  });

  it('a body that is not JSON is 415', async () => {
    expectErrorBody(await raw('PUT', `${NS}/actions/xml`, '<a/>', { 'content-type': 'application/xml' }), [415]);
  });
});

describe('huge bodies', () => {
  it('a body over the limit is 413 on every write route', async () => {
    const huge = JSON.stringify({ value: 'x'.repeat(20 * 1024 * 1024) });
    // (Action PUT allows code-sized bodies: its limit is the code limit, covered by the actions tests.)
    for (const path of [`${NS}/packages/huge`, `${NS}/triggers/huge`, `${NS}/rules/huge`, `${NS}/compositions/huge`]) {
      expectErrorBody(await raw('PUT', path, huge), [413]);
    }
    expectErrorBody(await raw('POST', `${NS}/actions/huge`, huge), [413]);
  });

  it('invoke parameters over the payload limit are 413', async () => {
    await raw('PUT', `${NS}/actions/echo-big?overwrite=true`, ACTION);
    const params = JSON.stringify({ value: 'x'.repeat(PAYLOAD_LIMIT + 1) });
    expectErrorBody(await raw('POST', `${NS}/actions/echo-big?blocking=true`, params), [413]);
  });
});

describe('results over the limit', () => {
  it("a result over the limit is OpenWhisk's truncation error (application error, 502 when blocking)", async () => {
    const code = `function main() { return { big: 'y'.repeat(${RESULT_LIMIT * 2}) }; }`;
    const put = await raw('PUT', `${NS}/actions/too-big?overwrite=true`, JSON.stringify({ exec: { kind: 'nodejs:20', code } }));
    expect(put.status).toBe(200);
    // The body is the activation's result (OpenWhisk answers an application error's result with 502), so it is
    // `{error}` alone, with no transaction `code`.
    const res = await raw('POST', `${NS}/actions/too-big?blocking=true&result=true`, '{}');
    expect(res.status).toBe(502);
    expect(Object.keys(res.body as object)).toEqual(['error']);
    expect((res.body as { error: string }).error).toMatch(/^The action produced a response that exceeded the allowed length: \d+ > 2048 bytes/);
  });

  it('the record of a too-large result holds the truncation error, not the result', async () => {
    const res = await raw('POST', `${NS}/actions/too-big`, '{}');
    expect(res.status).toBe(202);
    const id = (res.body as { activationId: string }).activationId;
    const record = await eventually(async () => {
      const r = await raw('GET', `${NS}/activations/${id}`);
      return r.status === 200 ? (r.body as { response: { status: string; success: boolean; result: { error: string } } }) : undefined;
    }, 20_000);
    expect(record.response.status).toBe('application error');
    expect(record.response.success).toBe(false);
    expect(Object.keys(record.response.result)).toEqual(['error']);
    expect(record.response.result.error.length).toBeLessThan(RESULT_LIMIT + 300);
  });
});

describe('invalid names, unicode and path traversal on every entity route', () => {
  for (const { base, put } of ENTITY_ROUTES) {
    it.each(BAD_NAMES)(`${base}/%s: GET/PUT/DELETE/POST are 4xx {error, code}`, async (name) => {
      const path = `${base}/${name}`;
      // 400 for a name the server sees and rejects, 404 where the path no longer names a resource (`..` segments,
      // encoded slashes), 405 where what is left is a collection that does not take the method.
      expectErrorBody(await raw('GET', path), [400, 404]);
      expectErrorBody(await raw('PUT', `${path}?overwrite=true`, put), [400, 404, 405]);
      expectErrorBody(await raw('DELETE', path), [400, 404, 405]);
      if (!base.endsWith('/packages')) expectErrorBody(await raw('POST', path, '{}'), [400, 404, 405]);
    });
  }

  it('a name over 256 characters or with a forbidden character is 400 on create', async () => {
    for (const name of ['a'.repeat(257), 'a%2Bb', 'a%3Cb', 'a%22b', 'a*', 'a%7Cb']) {
      expectErrorBody(await raw('PUT', `${NS}/triggers/${name}`, '{}'), [400]);
    }
  });

  it('a bad namespace segment is 4xx', async () => {
    for (const ns of ['..', '%2e%2e', 'a%2fb', 'caf%C3%A9']) {
      expectErrorBody(await raw('GET', `/api/v1/namespaces/${ns}/actions`), [400, 403, 404]);
    }
  });

  it('a bad activation id is 400', async () => {
    for (const id of ['..', '%2e%2e', 'x'.repeat(32), 'caf%C3%A9', 'ABCDEF0123456789ABCDEF0123456789']) {
      expectErrorBody(await raw('GET', `${NS}/activations/${id}`), [400, 404]);
    }
  });

  it('nothing with a bad name was created', async () => {
    for (const collection of ['actions', 'packages', 'triggers', 'rules']) {
      const list = await raw('GET', `${NS}/${collection}?limit=200`);
      expect(list.status).toBe(200);
      for (const e of list.body as { name: string }[]) expect(e.name).toMatch(/^[\w][\w@ .&-]*$/);
    }
  });
});
