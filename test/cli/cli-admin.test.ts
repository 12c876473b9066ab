import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/cli-error.js';
import { startWhirlProcess } from '../helpers/whirl-process.js';
import { Cli } from './cli-harness.js';

/**
 * `whirl admin user` as an operator runs it: on the file store of a stopped Whirl (the embedded store has one
 * writer), then a Whirl started on that data dir accepts the printed key and refuses it once deleted.
 */
describe('whirl admin user (file store)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'whirl-admin-'));
  const cli = new Cli({ WHIRL_STORE: 'file', WHIRL_DATA_DIR: dataDir });
  afterAll(() => {
    cli.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const whoami = async (url: string, auth: string) => {
    const res = await fetch(`${url}/api/v1/namespaces`, { headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } });
    return { status: res.status, body: res.ok ? ((await res.json()) as string[]) : undefined };
  };

  it('creates a key printed once, that the server accepts; get and list show no key; delete revokes it', async () => {
    const created = await cli.run(['admin', 'user', 'create', 'carol']);
    expect(created.code, created.stderr).toBe(ExitCode.OK);
    const key = created.stdout.trim();
    expect(key).toMatch(/^[0-9a-f-]{36}:[A-Za-z0-9]{64}$/);
    const team = await cli.json(['admin', 'user', 'create', 'carol', '--namespace', 'team', '--json']);
    expect(team.body).toMatchObject({ subject: 'carol', namespace: 'team' });
    expect((await cli.run(['admin', 'user', 'create', 'carol'])).code).toBe(ExitCode.API);

    const got = await cli.run(['admin', 'user', 'get', 'carol']);
    expect(got.code).toBe(ExitCode.OK);
    expect(got.stdout).toContain(key.split(':')[0]);
    expect(got.stdout).toContain('team');
    expect(got.stdout).not.toContain(key.split(':')[1]);
    const listed = await cli.json(['admin', 'user', 'list', 'team', '--json']);
    expect(listed.body).toEqual([{ subject: 'carol', namespace: 'team', uuid: team.body.auth.split(':')[0] }]);
    expect((await cli.run(['admin', 'user', 'get', 'nobody'])).code).toBe(ExitCode.NOT_FOUND);
    expect(statSync(join(dataDir, 'entities.jsonl')).mode & 0o777).toBe(0o600);

    let whirl = await startWhirlProcess({ WHIRL_DATA_DIR: dataDir }, { timeoutMs: 60_000 });
    try {
      expect(await whoami(whirl.url, key)).toEqual({ status: 200, body: ['carol'] });
      expect(await whoami(whirl.url, team.body.auth)).toEqual({ status: 200, body: ['team'] });
    } finally {
      await whirl.stop();
    }
    const deleted = await cli.run(['admin', 'user', 'delete', 'carol', '--namespace', 'team']);
    expect(deleted.code, deleted.stderr).toBe(ExitCode.OK);
    whirl = await startWhirlProcess({ WHIRL_DATA_DIR: dataDir }, { timeoutMs: 60_000 });
    try {
      expect((await whoami(whirl.url, team.body.auth)).status).toBe(401);
      expect((await whoami(whirl.url, key)).status).toBe(200);
    } finally {
      await whirl.stop();
    }
  }, 180_000);

  it('refuses the memory store: it lives inside the server process', async () => {
    const r = await cli.run(['admin', 'user', 'list', 'x'], { env: { WHIRL_STORE: 'memory' } });
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('WHIRL_STORE=memory');
  });
});
