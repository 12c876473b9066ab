import { execFile, execFileSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/cli-error.js';
import { freePort } from '../helpers/whirl-process.js';
import { Cli } from './cli-harness.js';

/**
 * The CLI as a child process where no Whirl is needed: help, usage errors, properties (files, env, flags),
 * network failures and shell completion. Exit codes are the contract (docs/cli.md).
 */
const cli = new Cli();
afterAll(() => cli.cleanup());

describe('whirl CLI without a server', () => {
  it('prints help and the version, and help for a group and a command', async () => {
    const root = await cli.run(['--help']);
    expect(root.code).toBe(ExitCode.OK);
    for (const group of ['action', 'activation', 'composition', 'trigger', 'rule', 'package', 'namespace', 'property']) {
      expect(root.stdout).toContain(group);
    }
    const version = await cli.run(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const group = await cli.run(['action', '--help']);
    expect(group.code).toBe(ExitCode.OK);
    expect(group.stdout).toContain('invoke');
    const cmd = await cli.run(['action', 'create', '--help']);
    expect(cmd.code).toBe(ExitCode.OK);
    expect(cmd.stdout).toContain('--sequence');
    expect((await cli.run(['help', 'action', 'create'])).stdout).toBe(cmd.stdout);
  });

  it.each([
    [['nope']],
    [['action', 'nope']],
    [['action']],
    [['action', 'get']],
    [['action', 'get', 'a', 'b', 'c']],
    [['action', 'list', '--bogus']],
    [['action', 'invoke', 'x', '-p', 'k']],
    [['property', 'set']],
    [['completion', 'fish']],
  ])('exits with USAGE for %j', async (args) => {
    const r = await cli.run(args);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr + r.stdout).not.toMatch(/at .*\.ts:\d+/); // no stack traces
  });

  it('needs AUTH before calling the API, and says how to set it', async () => {
    const r = await cli.run(['action', 'list']);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('property set --auth');
  });

  it('reports errors as JSON on stderr under --json, keeping stdout clean', async () => {
    const r = await cli.run(['action', 'list', '--json']);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({ exitCode: ExitCode.USAGE, error: expect.stringContaining('AUTH') });
  });

  it('exits with NETWORK when the API host does not answer', async () => {
    const port = await freePort();
    const r = await cli.run(['action', 'list', '--apihost', `127.0.0.1:${port}`, '--auth', 'u:k']);
    expect(r.code).toBe(ExitCode.NETWORK);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
  });

  it("reports an answer that is not Whirl's (a proxy page) with its status and the start of its body", async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>\n<body>Bad   gateway</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
      const r = await cli.run(['action', 'list', '--apihost', host, '--auth', 'u:k']);
      expect(r.code).toBe(ExitCode.API);
      expect(r.stderr).toBe('error: action list: HTTP 502: <html> <body>Bad gateway</body></html>\n');
    } finally {
      server.close();
    }
  });

  it('refuses a self-signed certificate (NETWORK) unless -i is given, as wsk', async () => {
    const key = join(cli.home, 'tls.key');
    const cert = join(cli.home, 'tls.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], {
      stdio: 'ignore',
    });
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('["tlsns"]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const host = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
      const strict = await cli.run(['namespace', 'list', '--apihost', host, '--auth', 'u:k']);
      expect(strict.code).toBe(ExitCode.NETWORK);
      const insecure = await cli.run(['namespace', 'list', '--apihost', host, '--auth', 'u:k', '-i']);
      expect(insecure).toMatchObject({ code: ExitCode.OK, stdout: 'namespaces\ntlsns\n' });
    } finally {
      server.close();
    }
  });

  it('sets, reads and unsets properties in ~/.whirlprops, over ~/.wskprops, under env and flags', async () => {
    const c = new Cli();
    try {
      writeFileSync(join(c.home, '.wskprops'), 'APIHOST=wsk.example:443\nAUTH=wsk:key\n');
      const fromWsk = await c.json(['property', 'get', '--json']);
      expect(fromWsk.body.APIHOST.value).toBe('wsk.example:443');
      expect(fromWsk.body.AUTH.value).toBe('wsk:key');

      const set = await c.run(['property', 'set', '--apihost', '127.0.0.1:9', '--namespace', 'guest']);
      expect(set.code).toBe(ExitCode.OK);
      expect(set.stdout).toContain('ok: whirl API host set to 127.0.0.1:9');
      const file = join(c.home, '.whirlprops');
      expect(readFileSync(file, 'utf8')).toBe('APIHOST=127.0.0.1:9\nNAMESPACE=guest\n');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(c.home, '.wskprops'), 'utf8')).toContain('wsk.example'); // never written

      const one = await c.run(['property', 'get', '--apihost']);
      expect(one.stdout).toBe('127.0.0.1:9\n');
      const env = await c.run(['property', 'get', '--apihost'], { env: { WHIRL_APIHOST: 'env-host:1' } });
      expect(env.stdout).toBe('env-host:1\n');

      const all = await c.run(['property', 'get']);
      expect(all.stdout).toMatch(/whirl API host\s+127\.0\.0\.1:9\s+\(.*\.whirlprops\)/);
      expect(all.stdout).toMatch(/whirl auth\s+wsk:key\s+\(.*\.wskprops\)/);

      const unset = await c.run(['property', 'unset', '--apihost']);
      expect(unset.code).toBe(ExitCode.OK);
      expect((await c.run(['property', 'get', '--apihost'])).stdout).toBe('wsk.example:443\n');
    } finally {
      c.cleanup();
    }
  });

  it('prints a bash completion script that completes groups, commands, flags and flag values', async () => {
    const script = await cli.run(['completion', 'bash']);
    expect(script.code).toBe(ExitCode.OK);
    const file = join(cli.home, 'whirl.bash');
    writeFileSync(file, script.stdout);
    const complete = async (...words: string[]) => {
      const cword = words.length - 1;
      const program = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${cword}; _whirl; echo "\${COMPREPLY[*]}"`;
      const { stdout } = await promisify(execFile)('bash', ['-c', program], { cwd: cli.home });
      return stdout.trim().split(/\s+/);
    };
    expect(await complete('whirl', 'act')).toEqual(['action', 'activation']);
    expect(await complete('whirl', 'rule', 'dis')).toEqual(['disable']);
    expect(await complete('whirl', 'action', 'create', 'x', '--seq')).toEqual(['--sequence']);
    expect(await complete('whirl', 'action', 'update', 'x', '--web', 'r')).toEqual(['raw']);
  });

  it('prints a zsh completion script built on the same function', async () => {
    const r = await cli.run(['completion', 'zsh']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/^#compdef whirl\n/);
    expect(r.stdout).toContain('bashcompinit');
    expect(r.stdout).toContain('complete -o filenames -F _whirl whirl');
  });

  it('is installed as the package bin', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
    expect(pkg.bin.whirl).toBe('bin/whirl.mjs');
  });
});
