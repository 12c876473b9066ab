import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_SENTINEL } from '../../src/ports/container-factory.js';
import { zip } from '../helpers/zip.js';

/** The nodejs runtime proxy on its own: the OpenWhisk action interface, byte for byte where it matters. */
const PROXY = fileURLToPath(new URL('../../runtimes/nodejs/proxy.mjs', import.meta.url));

interface Proxy {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

const running: ChildProcess[] = [];

afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGKILL');
});

async function startProxy(env: Record<string, string> = {}): Promise<Proxy> {
  const child = spawn(process.execPath, [PROXY], {
    env: { ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`proxy exited with ${String(code)}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err };
}

async function post(p: Proxy, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${p.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function initialised(code: string, env: Record<string, string> = {}, main?: string): Promise<Proxy> {
  const p = await startProxy();
  const init = await post(p, '/init', { value: { name: 'a', main, code, binary: false, env } });
  expect(init).toEqual({ status: 200, body: { OK: true } });
  return p;
}

async function settled(p: Proxy, sentinels: number): Promise<void> {
  const count = (s: string) => s.split(LOG_SENTINEL).length - 1;
  for (let i = 0; i < 100 && (count(p.stdout()) < sentinels || count(p.stderr()) < sentinels); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('nodejs runtime proxy', () => {
  it('passes the init env and the activation fields as __OW_ variables', async () => {
    const p = await initialised(
      `function main(args) { return { args, secret: process.env.SECRET, ns: process.env.__OW_NAMESPACE,
         name: process.env.__OW_ACTION_NAME, deadline: process.env.__OW_DEADLINE }; }`,
      { SECRET: 's3cret' },
    );
    const run = await post(p, '/run', {
      value: { x: 1 },
      namespace: 'guest',
      action_name: '/guest/a',
      deadline: '1700000000000',
    });
    expect(run).toEqual({
      status: 200,
      body: { args: { x: 1 }, secret: 's3cret', ns: 'guest', name: '/guest/a', deadline: '1700000000000' },
    });
  });

  it('finds main through module.exports and exports, and honours a custom main name', async () => {
    const a = await initialised(`module.exports.main = () => ({ via: 'module.exports' });`);
    expect((await post(a, '/run', {})).body).toEqual({ via: 'module.exports' });
    const b = await initialised(`exports.main = () => ({ via: 'exports' });`);
    expect((await post(b, '/run', {})).body).toEqual({ via: 'exports' });
    const c = await initialised(`function handler() { return { via: 'handler' }; }`, {}, 'handler');
    expect((await post(c, '/run', {})).body).toEqual({ via: 'handler' });
  });

  it('defaults value to {}, turns undefined into {}, and accepts arrays', async () => {
    const p = await initialised(`function main(a) { return a.list ? a.list : (Object.keys(a).length ? undefined : { empty: true }); }`);
    expect((await post(p, '/run', {})).body).toEqual({ empty: true });
    expect((await post(p, '/run', { value: { other: 1 } })).body).toEqual({});
    expect((await post(p, '/run', { value: { list: [1, 2] } })).body).toEqual([1, 2]);
  });

  it('maps a rejected promise to 200 {error} and a non-object result to 502', async () => {
    const p = await initialised(
      `function main(a) { if (a.reject) return Promise.reject(new Error('nope')); return a.text ? 'a string' : {}; }`,
    );
    const rejected = await post(p, '/run', { value: { reject: true } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ error: { name: 'Error', message: 'nope' } });
    const text = await post(p, '/run', { value: { text: true } });
    expect(text.status).toBe(502);
    expect(text.body).toHaveProperty('error');
  });

  it('fails init with 502 and frames the failure with sentinels', async () => {
    const p = await startProxy();
    const init = await post(p, '/init', { value: { main: 'main', code: 'this is not javascript' } });
    expect(init.status).toBe(502);
    expect(String((init.body as { error: string }).error)).toMatch(/^Initialization has failed due to: /);
    await settled(p, 1);
    expect(p.stdout().trim().split('\n').at(-1)).toBe(LOG_SENTINEL);
    expect(p.stderr().trim().split('\n').at(-1)).toBe(LOG_SENTINEL);
  });

  it('runs a tar.gz action (package.json main, node_modules) and refuses one that escapes its directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whirl-tgz-'));
    try {
      mkdirSync(join(dir, 'pkg/node_modules/dep'), { recursive: true });
      writeFileSync(join(dir, 'pkg/package.json'), JSON.stringify({ main: 'app.js' }));
      writeFileSync(join(dir, 'pkg/app.js'), `exports.main = () => ({ dep: require('dep') });`);
      writeFileSync(join(dir, 'pkg/node_modules/dep/index.js'), `module.exports = 'from node_modules';`);
      execFileSync('tar', ['-czf', join(dir, 'a.tgz'), '-C', join(dir, 'pkg'), '.']);
      const p = await startProxy();
      const code = readFileSync(join(dir, 'a.tgz')).toString('base64');
      expect(await post(p, '/init', { value: { main: 'main', code, binary: true } })).toEqual({ status: 200, body: { OK: true } });
      expect(await post(p, '/run', { value: {} })).toEqual({ status: 200, body: { dep: 'from node_modules' } });
      writeFileSync(join(dir, 'evil.js'), 'boom');
      execFileSync('tar', ['-czf', join(dir, 'b.tgz'), '-C', join(dir, 'pkg'), '-P', 'app.js', `${join(dir, 'pkg')}/../evil.js`]);
      const q = await startProxy();
      const evil = await post(q, '/init', { value: { main: 'main', code: readFileSync(join(dir, 'b.tgz')).toString('base64'), binary: true } });
      expect(evil.status).toBe(502);
      expect(String((evil.body as { error: string }).error)).toContain('points outside the action directory');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails init when main is missing, and on binary code that is not a valid zip', async () => {
    const missing = await startProxy();
    expect((await post(missing, '/init', { value: { main: 'main', code: 'const x = 1;' } })).status).toBe(502);
    const truncated = await startProxy();
    const init = await post(truncated, '/init', { value: { main: 'main', code: 'UEsDBA==', binary: true } });
    expect(init.status).toBe(502);
    expect(String((init.body as { error: string }).error)).toContain('not a valid zip file');
    const link = await startProxy();
    const symlinked = zip({ 'index.js': 'exports.main = () => ({});', 'secret': { data: '/etc/passwd', symlink: true } });
    const refused = await post(link, '/init', { value: { main: 'main', code: symlinked.toString('base64'), binary: true } });
    expect(refused.status).toBe(502);
    expect(String((refused.body as { error: string }).error)).toContain('symlinks are not extracted');
    const other = await startProxy();
    const notZip = await post(other, '/init', { value: { main: 'main', code: Buffer.from('7z\xbc\xaf\x27\x1c').toString('base64'), binary: true } });
    expect(String((notZip.body as { error: string }).error)).toContain('neither a zip nor a tar.gz file');
  });

  it("writes the sentinel after the action's own output on both streams", async () => {
    const p = await initialised(`function main() { console.log('hello out'); console.error('hello err'); return {}; }`);
    await post(p, '/run', {});
    await settled(p, 1);
    expect(p.stdout()).toBe(`hello out\n${LOG_SENTINEL}\n`);
    expect(p.stderr()).toBe(`hello err\n${LOG_SENTINEL}\n`);
  });

  it('marks an activation that printed nothing as quiet and writes no sentinels for it', async () => {
    const p = await initialised(`function main(a) { if (a.say) console.log(a.say); return {}; }`);
    const quiet = await fetch(`${p.url}/run`, { method: 'POST', body: JSON.stringify({ value: {} }) });
    expect(quiet.headers.get('x-whirl-logs')).toBe('none');
    await quiet.text();
    const loud = await fetch(`${p.url}/run`, { method: 'POST', body: JSON.stringify({ value: { say: 'hi' } }) });
    expect(loud.headers.get('x-whirl-logs')).toBeNull();
    await loud.text();
    await settled(p, 1);
    expect(p.stdout()).toBe(`hi\n${LOG_SENTINEL}\n`);
    expect(p.stderr()).toBe(`${LOG_SENTINEL}\n`);
  });

  it('answers 503 to a concurrent run unless __OW_ALLOW_CONCURRENT=true', async () => {
    const code = `function main() { return new Promise((r) => setTimeout(() => r({ done: true }), 300)); }`;
    const single = await initialised(code);
    const [a, b] = await Promise.all([post(single, '/run', {}), post(single, '/run', {})]);
    expect([a.status, b.status].sort()).toEqual([200, 503]);

    const multi = await startProxy({ __OW_ALLOW_CONCURRENT: 'true' });
    expect((await post(multi, '/init', { value: { main: 'main', code } })).status).toBe(200);
    const both = await Promise.all([post(multi, '/run', {}), post(multi, '/run', {})]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
  });

  it('answers 404 to unknown routes and 403 to a run before init', async () => {
    const p = await startProxy();
    expect((await post(p, '/nope', {})).status).toBe(404);
    expect((await post(p, '/run', {})).status).toBe(403);
  });

  it('prints nothing on its own before any activation', async () => {
    const p = await startProxy();
    await new Promise((r) => setTimeout(r, 50));
    expect(p.stdout()).toBe('');
    expect(p.stderr()).toBe('');
  });

  it('exits when its parent disconnects the IPC channel', async () => {
    const p = await startProxy();
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.disconnect();
    await exited;
    expect(p.child.exitCode).toBe(0);
  });
});
