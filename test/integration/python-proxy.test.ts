import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_SENTINEL } from '../../src/ports/container-factory.js';
import { eventually } from '../helpers/whirl.js';
import { zip } from '../helpers/zip.js';

/** The python runtime proxy on its own (the host's python3): OpenWhisk's action interface and its zip layouts. */
const PROXY = fileURLToPath(new URL('../../runtimes/python/proxy.py', import.meta.url));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGKILL');
});

interface Proxy {
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  output: () => { stdout: string; stderr: string };
}

async function start(env: Record<string, string> = {}): Promise<Proxy> {
  const child = spawn('python3', [PROXY], {
    env: { ...env, PORT: '0', HOST: '127.0.0.1', PATH: '/usr/local/bin:/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`proxy exited with ${String(code)}: ${stderr}`)));
  });
  return {
    async post(path, body) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    output: () => ({ stdout, stderr }),
  };
}

const binary = (files: Parameters<typeof zip>[0]) => zip(files).toString('base64');

describe('python runtime proxy', () => {
  it('runs a single file: params, __OW_ env, logs framed by sentinels, one /init only', async () => {
    const p = await start();
    const code = 'import os\ndef main(a):\n    print("out line")\n    return {"n": a["n"] + 1, "id": os.environ["__OW_ACTIVATION_ID"]}\n';
    expect(await p.post('/init', { value: { main: 'main', code, binary: false } })).toEqual({ status: 200, body: { OK: true } });
    expect(await p.post('/run', { value: { n: 1 }, activation_id: 'abc' })).toEqual({ status: 200, body: { n: 2, id: 'abc' } });
    // The pipes deliver the output a moment after the reply: wait for both sentinels.
    await eventually(async () => (p.output().stdout.includes(LOG_SENTINEL) && p.output().stderr.includes(LOG_SENTINEL) ? true : undefined));
    expect(p.output().stdout).toBe(`out line\n${LOG_SENTINEL}\n`);
    expect(p.output().stderr).toBe(`${LOG_SENTINEL}\n`);
    expect((await p.post('/init', { value: { code } })).status).toBe(403);
  });

  it('answers a non-dict result as a developer error and an exception as an application error', async () => {
    const p = await start();
    await p.post('/init', { value: { code: 'def main(a):\n    if a.get("boom"):\n        raise KeyError("k")\n    return 42\n' } });
    expect(await p.post('/run', { value: {} })).toEqual({ status: 502, body: { error: 'The action did not return a dictionary or array.' } });
    expect(await p.post('/run', { value: { boom: true } })).toEqual({ status: 200, body: { error: "'k'" } });
    await eventually(async () => (p.output().stderr.includes('KeyError') ? true : undefined));
  });

  it('fails init with 502 on a syntax error, a missing main, or no code', async () => {
    for (const value of [{ code: 'def main(:' }, { code: 'x = 1' }, {}]) {
      const p = await start();
      const init = await p.post('/init', { value });
      expect(init.status).toBe(502);
      expect(init.body.error).toMatch(/^Initialization has failed due to: /);
    }
  });

  it('loads a zip whose module is a file named exec, and activates virtualenv/bin/activate_this.py', async () => {
    const p = await start();
    const code = binary({
      exec: 'import bundled\ndef main(a):\n    return {"from": bundled.WHERE}\n',
      'virtualenv/bin/activate_this.py':
        'import os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pkgs"))\n',
      'virtualenv/pkgs/bundled.py': 'WHERE = "activate_this"\n',
    });
    expect((await p.post('/init', { value: { code, binary: true } })).status).toBe(200);
    expect((await p.post('/run', { value: {} })).body).toEqual({ from: 'activate_this' });
  });

  it('refuses archives without __main__.py, with entries escaping the directory, or with symlinks', async () => {
    const cases: Array<[Parameters<typeof zip>[0], string]> = [
      [{ 'main.py': 'def main(a): return {}' }, 'must contain __main__.py'],
      [{ '__main__.py': 'def main(a): return {}', '../../x.py': 'boom' }, 'points outside the action directory'],
      [{ '__main__.py': 'def main(a): return {}', link: { data: '/etc/passwd', mode: 0o777, symlink: true } }, 'symlinks'],
    ];
    for (const [files, message] of cases) {
      const p = await start();
      const init = await p.post('/init', { value: { code: binary(files), binary: true } });
      expect(init.status).toBe(502);
      expect(init.body.error).toContain(message);
    }
  });

  it('answers 503 to a concurrent run unless __OW_ALLOW_CONCURRENT=true', async () => {
    // The slow run marks a file once it runs, then sleeps: the second run is sent only while it certainly holds on.
    const code = 'import time\ndef main(a):\n    if "marker" in a:\n        open(a["marker"], "w").close()\n    time.sleep(a.get("s", 0))\n    return {"ok": True}\n';
    const marker = join(mkdtempSync(join(tmpdir(), 'whirl-py-')), 'running');
    const single = await start();
    await single.post('/init', { value: { code } });
    const slow = single.post('/run', { value: { s: 3, marker } });
    await eventually(async () => (existsSync(marker) ? true : undefined));
    expect((await single.post('/run', { value: {} })).status).toBe(503);
    expect((await slow).status).toBe(200);
    const many = await start({ __OW_ALLOW_CONCURRENT: 'true' });
    await many.post('/init', { value: { code } });
    const both = await Promise.all([many.post('/run', { value: { s: 1 } }), many.post('/run', { value: { s: 1 } })]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
  }, 20_000);
});
