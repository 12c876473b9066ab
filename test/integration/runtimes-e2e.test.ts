import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blackboxImage, describeWith, nodejsImage, pythonImage, serviceUrl, type Service } from '../helpers/services.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';
import { filesUnder, zip } from '../helpers/zip.js';

/**
 * What OpenWhisk users bring, through the official `openwhisk` npm client against a whole running Whirl: nodejs zip
 * actions (package.json `main`, node_modules, `main` naming a function or `file.function`), python:3 single files and
 * zips with __main__.py and a bundled virtualenv, and a compiled (Go) binary on the blackbox exec contract. The same
 * cases run on process containers and on Docker.
 */
const BLACKBOX = blackboxImage();
const build = (runtime: string, tag: string) =>
  execFileSync('bash', [fileURLToPath(new URL(`../../runtimes/${runtime}/build.sh`, import.meta.url)), tag], { stdio: 'ignore' });

const fixtures = mkdtempSync(join(tmpdir(), 'whirl-runtimes-'));
afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

/** An `exec` for the blackbox contract, compiled from Go: static, so it runs on the host and in any image. */
function goExec(): Buffer {
  const dir = join(fixtures, 'go');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'main.go'),
    `package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	var args map[string]interface{}
	if err := json.Unmarshal([]byte(os.Args[1]), &args); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("compiled exec says hello")
	out, _ := json.Marshal(map[string]interface{}{"compiled": true, "name": args["name"], "ns": os.Getenv("__OW_NAMESPACE")})
	fmt.Println(string(out))
}
`,
  );
  execFileSync('go', ['build', '-o', join(dir, 'exec'), join(dir, 'main.go')], {
    cwd: dir,
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '', GO111MODULE: 'off', GOTOOLCHAIN: 'local' },
    stdio: 'pipe',
  });
  return readFileSync(join(dir, 'exec'));
}

/** A virtualenv made by the host's `python3 -m venv`, with a package "installed" into its site-packages. */
function virtualenvFiles(): Record<string, { data: Buffer; mode?: number }> {
  const venv = join(fixtures, 'venv');
  execFileSync('python3', ['-m', 'venv', '--without-pip', venv], { stdio: 'pipe' });
  const site = execFileSync(join(venv, 'bin', 'python'), ['-c', 'import site; print(site.getsitepackages()[0])'])
    .toString()
    .trim();
  mkdirSync(join(site, 'shout'), { recursive: true });
  writeFileSync(join(site, 'shout', '__init__.py'), 'def shout(s):\n    return s.upper() + "!"\n');
  return { ...filesUnder(join(venv, 'lib'), 'virtualenv/lib/'), 'virtualenv/pyvenv.cfg': { data: readFileSync(join(venv, 'pyvenv.cfg')) } };
}

type Client = ReturnType<typeof openwhisk>;
/**
 * `actions.create` with the client's `exec` option (merged into the derived exec: `--main`, `--docker`), which the
 * client supports but its type declarations omit.
 */
const create = (ow: Client, options: Record<string, unknown>) =>
  ow.actions.create(options as unknown as Parameters<Client['actions']['create']>[0]);

function runtimeSuite(label: string, services: Service[], env: () => Record<string, string>, prepare: () => void): void {
  describeWith(services, `runtimes through the openwhisk client on ${label}`, () => {
    let w: TestWhirl;
    let ow: Client;
    beforeAll(async () => {
      prepare();
      w = await startTestWhirl('embedded', { WHIRL_PREWARM: '', ...env() });
      ow = openwhisk({ apihost: w.url, api_key: w.auth });
    }, 120_000);
    afterAll(async () => w?.stop());

    const result = (name: string, params: Record<string, unknown> = {}) =>
      ow.actions.invoke({ name, blocking: true, result: true, params }) as Promise<Record<string, unknown>>;
    // The caller hears the result before the record (with its logs) is stored: 404 until then.
    const logsOf = (activationId: string, text: string) =>
      eventually(async () => {
        const found = await ow.activations.logs({ name: activationId }).catch((e: { statusCode?: number }) => {
          if (e.statusCode === 404) return undefined;
          throw e;
        });
        return found?.logs.some((l) => l.includes(text)) ? found.logs : undefined;
      }, 20_000);

    it('nodejs zip: package.json main, with its node_modules', async () => {
      const archive = zip({
        'package.json': JSON.stringify({ name: 'zipped', main: 'lib/app.js' }),
        'lib/app.js': `const { greet } = require('greeter');
          exports.main = (p) => ({ greeting: greet(p.name), fromArchive: require('fs').existsSync('lib/app.js') });`,
        'node_modules/greeter/package.json': JSON.stringify({ name: 'greeter', main: 'index.js' }),
        'node_modules/greeter/index.js': `exports.greet = (n) => 'Hello, ' + n + '!';`,
      });
      const created = await ow.actions.create({ name: 'njs-zip', action: archive, kind: 'nodejs:20' });
      expect(created.exec).toMatchObject({ kind: 'nodejs:20', binary: true });
      expect(await result('njs-zip', { name: 'Ada' })).toEqual({ greeting: 'Hello, Ada!', fromArchive: true });
    }, 60_000);

    it('nodejs zip: --main naming a function of the package, or file.function', async () => {
      const archive = zip({
        'index.js': `exports.shout = (p) => ({ loud: p.word.toUpperCase() });`,
        'tools.js': `exports.count = (p) => ({ letters: p.word.length });`,
      });
      await create(ow, { name: 'njs-main', action: archive, kind: 'nodejs:default', exec: { main: 'shout' } });
      await create(ow, { name: 'njs-file', action: archive, kind: 'nodejs:default', exec: { main: 'tools.count' } });
      expect(await result('njs-main', { word: 'whirl' })).toEqual({ loud: 'WHIRL' });
      expect(await result('njs-file', { word: 'whirl' })).toEqual({ letters: 5 });
    }, 60_000);

    it('nodejs zip that writes outside its directory: a developer error, nothing extracted', async () => {
      const archive = zip({ 'index.js': 'exports.main = () => ({});', '../../escaped.js': 'boom' });
      await ow.actions.create({ name: 'njs-slip', action: archive, kind: 'nodejs:20' });
      const failure = await ow.actions.invoke({ name: 'njs-slip', blocking: true }).catch((e: any) => e);
      expect(failure.statusCode).toBe(502);
      expect(failure.error.response.result.error).toContain('points outside the action directory');
    }, 60_000);

    it('python:3 single file: result, __OW_ env and logs', async () => {
      const code = `import os, sys
def main(args):
    print("hello from python", file=sys.stderr)
    return {"greeting": "Hello, %s!" % args.get("name", "stranger"), "ns": os.environ["__OW_NAMESPACE"],
            "major": sys.version_info[0]}
`;
      const created = await ow.actions.create({ name: 'py', action: code, kind: 'python:3' });
      expect(created.exec).toMatchObject({ kind: 'python:3', binary: false });
      const activation = await ow.actions.invoke({ name: 'py', blocking: true, params: { name: 'Grace' } });
      expect(activation.response?.result).toEqual({ greeting: 'Hello, Grace!', ns: 'guest', major: 3 });
      await logsOf(activation.activationId, 'hello from python');
      // python:default and python:3.11 resolve too, and an exception is an application error.
      await ow.actions.create({ name: 'py311', action: 'def main(a):\n    raise ValueError("no " + a["x"])\n', kind: 'python:3.11' });
      const failed = await ow.actions.invoke({ name: 'py311', blocking: true, params: { x: 'way' } }).catch((e: any) => e.error);
      expect(failed.response).toMatchObject({ success: false, status: 'application error', result: { error: 'no way' } });
    }, 60_000);

    it('python zip: __main__.py with a sibling module and a bundled virtualenv', async () => {
      const archive = zip({
        '__main__.py': `from helper import double
from shout import shout
def handler(args):
    return {"double": double(args["n"]), "shout": shout("venv")}
`,
        'helper.py': 'def double(n):\n    return 2 * n\n',
        ...virtualenvFiles(),
      });
      await create(ow, { name: 'py-zip', action: archive, kind: 'python:3', exec: { main: 'handler' } });
      expect(await result('py-zip', { n: 21 })).toEqual({ double: 42, shout: 'VENV!' });
    }, 60_000);

    it('blackbox exec contract: a compiled binary zipped as exec', async () => {
      const archive = zip({ exec: { data: goExec(), mode: 0o755 } });
      await create(ow, { name: 'compiled', action: archive, exec: { kind: 'blackbox', image: BLACKBOX } });
      const activation = await ow.actions.invoke({ name: 'compiled', blocking: true, params: { name: 'Linus' } });
      expect(activation.response?.result).toEqual({ compiled: true, name: 'Linus', ns: 'guest' });
      await logsOf(activation.activationId, 'compiled exec says hello');
    }, 180_000);
  });
}

runtimeSuite('process containers', [], () => ({}), () => undefined);

describeWith([], 'a --docker action on the embedded defaults (no container engine)', () => {
  let w: TestWhirl;
  beforeAll(async () => {
    w = await startTestWhirl('embedded', { WHIRL_PREWARM: '' });
  }, 60_000);
  afterAll(async () => w?.stop());

  it('is refused at create with a 400 {error, code} naming the missing engine', async () => {
    const ow = openwhisk({ apihost: w.url, api_key: w.auth });
    const refused = await create(ow, { name: 'dockered', action: { exec: { kind: 'blackbox', image: 'openwhisk/example' } } }).catch(
      (e: { statusCode?: number; error?: unknown }) => e,
    );
    expect(refused).toMatchObject({ statusCode: 400 });
    const body = (refused as { error: { error: string; code: string } }).error;
    expect(Object.keys(body).sort()).toEqual(['code', 'error']);
    expect(body.error).toContain("The image 'openwhisk/example' needs a container engine (Docker)");
    expect(body.error).toContain('WHIRL_CONTAINERS=process');
    // Whirl's own skeleton runs on the host: a script action on it is accepted and runs.
    await create(ow, {
      name: 'skeleton',
      action: '#!/bin/sh\necho "{\\"argv\\": $1}"\n',
      exec: { kind: 'blackbox', image: BLACKBOX },
    });
    expect(await ow.actions.invoke({ name: 'skeleton', blocking: true, result: true, params: { a: 1 } })).toEqual({ argv: { a: 1 } });
  }, 60_000);
});

describeWith(['redis'], 'a --docker action reaching an invoker without a container engine', () => {
  let w: TestWhirl;
  beforeAll(async () => {
    // A shared queue: the API cannot know every invoker's engine, so the one that takes the work says it.
    w = await startTestWhirl('embedded', {
      WHIRL_PREWARM: '',
      WHIRL_QUEUE: 'bullmq',
      WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
      WHIRL_QUEUE_NAME: `whirl-test-engine-${Date.now()}`,
    });
  }, 60_000);
  afterAll(async () => w?.stop());

  it('fails its activation with a 502 developer error naming the missing engine', async () => {
    const ow = openwhisk({ apihost: w.url, api_key: w.auth });
    await create(ow, { name: 'dockered', action: { exec: { kind: 'blackbox', image: 'openwhisk/example' } } });
    const failure = await ow.actions.invoke({ name: 'dockered', blocking: true }).catch((e: any) => e);
    expect(failure.statusCode).toBe(502);
    expect(failure.error.response).toMatchObject({ success: false, status: 'action developer error' });
    const error = failure.error.response.result.error as string;
    expect(error).toContain("The image 'openwhisk/example' needs a container engine (Docker)");
    expect(error).not.toContain('Missing main');
  }, 60_000);
});

runtimeSuite(
  'Docker',
  ['docker'],
  () => ({
    WHIRL_CONTAINERS: 'docker',
    WHIRL_DOCKER_SOCKET: serviceUrl('docker') ?? '',
    WHIRL_NODEJS_IMAGE: nodejsImage(),
    WHIRL_PYTHON_IMAGE: pythonImage(),
  }),
  () => {
    build('python', pythonImage());
    build('blackbox', BLACKBOX);
  },
);
