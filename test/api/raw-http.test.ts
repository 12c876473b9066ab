import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, hello, startApi } from './harness.js';

/**
 * What goes over the wire, read from a raw socket: requests Node's parser refuses still get `{error, code}`, and
 * an action's framing headers never reach the connection.
 */
describe('raw HTTP', () => {
  let api: Api;
  let port: number;

  beforeAll(async () => {
    api = await startApi();
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    port = (api.app.server.address() as { port: number }).port;
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

  /** Writes `request` (then half-closes when `end`), reads until the server closes or a whole response is in. */
  const raw = (request: string, end = false) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let out = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer; got so far: ${out}`));
      }, 20_000);
      socket.on('data', (d) => (out += d.toString('latin1')));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
      socket.on('error', () => undefined);
      socket.write(request, () => end && socket.end());
    });

  const parse = (response: string) => {
    const [head = '', ...rest] = response.split('\r\n\r\n');
    const [statusLine = '', ...lines] = head.split('\r\n');
    const headers = lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const);
    return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
  };
  const expectErrorBody = (response: string, status: number) => {
    const { status: got, body } = parse(response);
    expect(got, response).toBe(status);
    const json = JSON.parse(body) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['code', 'error']);
    expect(json.code).toMatch(/^[0-9a-f]{32}$/);
  };
  const web = `/api/v1/web/${'NS'}/default/page.http`;
  const webPath = () => web.replace('NS', api.namespace);

  it('431: headers too large', async () => {
    expectErrorBody(await raw(`GET /api/v1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431);
  });

  it('400: a body shorter than its Content-Length', async () => {
    const req = `POST ${webPath()} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nshort`;
    expectErrorBody(await raw(req, true), 400);
  });

  it('400: bad chunking, and Content-Length beside Transfer-Encoding', async () => {
    const chunked = `POST ${webPath()} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`;
    expectErrorBody(await raw(chunked), 400);
    const both = `POST ${webPath()} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`;
    expectErrorBody(await raw(both), 400);
  });

  it("an action's framing and hop-by-hop headers never reach the wire: one Content-Length, Whirl's", async () => {
    api.engine.result = {
      headers: {
        'Transfer-Encoding': 'chunked',
        'Content-Length': '1',
        Connection: 'close',
        'Keep-Alive': 'timeout=1',
        Upgrade: 'h2c',
        TE: 'trailers',
        Trailer: 'X-Late',
        'Proxy-Authenticate': 'Basic',
        'X-Kept': 'yes',
      },
      body: 'hello',
    };
    const res = parse(await raw(`GET ${webPath()} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    expect(res.status).toBe(200);
    const names = res.headers.map(([k]) => k);
    expect(names).not.toContain('transfer-encoding');
    for (const gone of ['keep-alive', 'upgrade', 'te', 'trailer', 'proxy-authenticate']) expect(names).not.toContain(gone);
    expect(res.headers.filter(([k]) => k === 'content-length')).toEqual([['content-length', '5']]);
    expect(res.headers.filter(([k]) => k === 'connection')).toEqual([['connection', 'close']]);
    expect(res.headers).toContainEqual(['x-kept', 'yes']);
    expect(res.body).toBe('hello');
  });
});
