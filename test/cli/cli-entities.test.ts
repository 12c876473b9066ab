import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/cli-error.js';
import { startCliWorld, until, type Cli } from './cli-harness.js';

/**
 * `whirl trigger|rule|package|namespace …` as a child process against a live Whirl, including the feed protocol
 * (the CLI invokes the feed action with lifecycleEvent CREATE / DELETE) and trigger fires through rules.
 */
let world: Awaited<ReturnType<typeof startCliWorld>>;
let cli: Cli;

beforeAll(async () => {
  world = await startCliWorld();
  cli = world.cli;
  writeFileSync(join(cli.home, 'echo.js'), `function main(p) { console.log('got ' + p.name); return { name: p.name, region: p.region }; }`);
  // A feed that accepts CREATE/DELETE for names starting with "ok", and refuses anything else.
  writeFileSync(
    join(cli.home, 'feed.js'),
    `function main(p) { return /^\\/[^/]+\\/ok/.test(p.triggerName) && p.authKey ? { event: p.lifecycleEvent } : { error: 'refused ' + p.lifecycleEvent }; }`,
  );
  for (const [name, file] of [['echo', 'echo.js'], ['feed', 'feed.js']]) {
    const r = await cli.run(['action', 'create', name!, file!]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
});
afterAll(async () => {
  await world?.stop();
});

describe('whirl trigger and rule', () => {
  it('creates a trigger and a rule, fires through the rule, disables and re-enables it, and deletes both', async () => {
    expect(await cli.run(['trigger', 'create', 'tick', '-p', 'region', 'eu'])).toMatchObject({ code: 0, stdout: 'ok: created trigger tick\n' });
    expect(await cli.run(['rule', 'create', 'tick-echo', 'tick', 'echo'])).toMatchObject({ code: 0, stdout: 'ok: created rule tick-echo\n' });
    const [status, rule, trigger] = await Promise.all([
      cli.run(['rule', 'status', 'tick-echo']),
      cli.json(['rule', 'get', 'tick-echo', '--json']),
      cli.json(['trigger', 'get', 'tick', '--json']),
    ]);
    expect(status.stdout).toBe('ok: rule tick-echo is active\n');
    expect(rule.body).toMatchObject({ name: 'tick-echo', status: 'active', trigger: { name: 'tick' }, action: { name: 'echo' } });
    expect(trigger.body.parameters).toEqual([{ key: 'region', value: 'eu' }]);

    const fired = await cli.run(['trigger', 'fire', 'tick', '-p', 'name', 'Ann']);
    expect(fired.code).toBe(ExitCode.OK);
    const triggerId = /with id ([0-9a-f]{32})/.exec(fired.stdout)![1]!;
    // the rule's action ran with the trigger's parameters and the payload
    const result = await until(async () => {
      const list = await cli.json(['activation', 'list', 'echo', '--full', '--json']);
      return list.body.find((a: any) => a.response?.result?.name === 'Ann')?.response.result;
    });
    expect(result).toEqual({ name: 'Ann', region: 'eu' });
    const triggerRecord = await until(async () => {
      const r = await cli.json(['activation', 'get', triggerId, '--json']);
      return r.code === 0 ? r.body : undefined;
    });
    expect(triggerRecord.name).toBe('tick');

    expect((await cli.run(['rule', 'disable', 'tick-echo'])).stdout).toBe('ok: disabled rule tick-echo\n');
    expect((await cli.run(['rule', 'status', 'tick-echo'])).stdout).toBe('ok: rule tick-echo is inactive\n');
    const idle = await cli.run(['trigger', 'fire', 'tick']);
    expect(idle).toMatchObject({ code: 0, stdout: 'ok: triggered /_/tick, but no rule is active: nothing ran\n' });
    expect((await cli.run(['rule', 'enable', 'tick-echo'])).stdout).toBe('ok: enabled rule tick-echo\n');

    const [triggers, rules] = await Promise.all([cli.run(['trigger', 'list']), cli.run(['rule', 'list'])]);
    expect(triggers.stdout).toMatch(/^triggers\n\/guest\/tick +private\n/);
    expect(rules.stdout).toMatch(/^rules\n\/guest\/tick-echo +private +active\n/);

    expect((await cli.run(['rule', 'delete', 'tick-echo', '--disable'])).stdout).toBe('ok: deleted rule tick-echo\n');
    expect((await cli.run(['trigger', 'delete', 'tick'])).stdout).toBe('ok: deleted trigger tick\n');
    const [goneRule, goneTrigger, fireGone] = await Promise.all([
      cli.run(['rule', 'get', 'tick-echo']),
      cli.run(['trigger', 'get', 'tick']),
      cli.run(['trigger', 'fire', 'tick']),
    ]);
    expect([goneRule.code, goneTrigger.code, fireGone.code]).toEqual([ExitCode.NOT_FOUND, ExitCode.NOT_FOUND, ExitCode.NOT_FOUND]);
  });

  it('registers a trigger with its feed, and removes the trigger when the feed refuses', async () => {
    const ok = await cli.run(['trigger', 'create', 'ok-feed', '--feed', 'feed', '-p', 'interval', '5']);
    expect(ok).toMatchObject({ code: ExitCode.OK, stdout: 'ok: created trigger ok-feed\n' });
    const stored = await cli.json(['trigger', 'get', 'ok-feed', '--json']);
    expect(stored.body.annotations).toContainEqual({ key: 'feed', value: '/_/feed' });

    const refused = await cli.run(['trigger', 'create', 'bad-feed', '--feed', 'feed']);
    expect(refused.code).toBe(ExitCode.FAILED);
    expect(refused.stderr).toContain('refused CREATE');
    expect((await cli.run(['trigger', 'get', 'bad-feed'])).code).toBe(ExitCode.NOT_FOUND);

    expect((await cli.run(['trigger', 'delete', 'ok-feed'])).code).toBe(ExitCode.OK);
    // the feed action saw CREATE and DELETE
    const events = await until(async () => {
      const list = await cli.json(['activation', 'list', 'feed', '--full', '--json']);
      const seen = list.body.map((a: any) => a.response?.result?.event).filter(Boolean).sort();
      return seen.length >= 2 ? seen : undefined;
    });
    expect(events).toEqual(['CREATE', 'DELETE']);
  });

  it('refuses a rule naming a missing trigger', async () => {
    const r = await cli.run(['rule', 'create', 'orphan', 'no-such-trigger', 'echo']);
    expect([ExitCode.API, ExitCode.NOT_FOUND]).toContain(r.code);
    expect(r.stderr).toMatch(/^error: rule create orphan: /);
  });
});

describe('whirl package and namespace', () => {
  it('creates packages and bindings, runs a packaged action through a binding, and lists the namespace', async () => {
    expect((await cli.run(['package', 'create', 'tools', '-p', 'region', 'us', '--shared', 'yes'])).code).toBe(ExitCode.OK);
    expect((await cli.run(['package', 'bind', 'tools', 'tools-eu', '-p', 'region', 'eu'])).stdout).toBe('ok: created binding tools-eu\n');
    expect((await cli.run(['action', 'create', 'tools/where', 'echo.js'])).code).toBe(ExitCode.OK);

    const [pkg, binding, list, inPkg] = await Promise.all([
      cli.json(['package', 'get', 'tools', '--json']),
      cli.run(['package', 'get', 'tools-eu', 'binding']),
      cli.run(['package', 'list']),
      cli.run(['action', 'list', 'tools']),
    ]);
    expect(pkg.body).toMatchObject({ name: 'tools', publish: true, parameters: [{ key: 'region', value: 'us' }] });
    expect(binding.stdout).toMatch(/^ok: got package tools-eu, displaying field binding\n/);
    expect(JSON.parse(binding.stdout.split('\n').slice(1).join('\n'))).toEqual({ namespace: 'guest', name: 'tools' });
    expect(list.stdout).toMatch(/\/guest\/tools-eu +private +binding \/guest\/tools\n/);
    expect(list.stdout).toMatch(/\/guest\/tools +shared\n/);
    expect(inPkg.stdout).toMatch(/^actions\n\/guest\/tools\/where +private +nodejs:20\n$/);

    const [direct, bound] = await Promise.all([
      cli.run(['action', 'invoke', 'tools/where', '-r', '-p', 'name', 'x']),
      cli.run(['action', 'invoke', 'tools-eu/where', '-r', '-p', 'name', 'y']),
    ]);
    expect(JSON.parse(direct.stdout)).toEqual({ name: 'x', region: 'us' });
    expect(JSON.parse(bound.stdout)).toEqual({ name: 'y', region: 'eu' });

    const [namespaces, entities, entitiesJson] = await Promise.all([
      cli.run(['namespace', 'list']),
      cli.run(['namespace', 'get']),
      cli.json(['namespace', 'get', '--json']),
    ]);
    expect(namespaces.stdout).toBe('namespaces\nguest\n');
    expect(entities.stdout).toMatch(/^Entities in namespace: default\npackages\n(.*\n)*\/guest\/tools\n(.*\n)*actions\n(.*\n)*\/guest\/echo\n/);
    expect(Object.keys(entitiesJson.body)).toEqual(['packages', 'actions', 'triggers', 'rules', 'compositions']);

    expect((await cli.run(['package', 'delete', 'tools-eu'])).code).toBe(ExitCode.OK);
    expect((await cli.run(['action', 'delete', 'tools/where'])).code).toBe(ExitCode.OK);
    expect((await cli.run(['package', 'delete', 'tools'])).stdout).toBe('ok: deleted package tools\n');
    expect((await cli.run(['package', 'get', 'tools'])).code).toBe(ExitCode.NOT_FOUND);
  });
});

describe('whirl api', () => {
  it('routes a base path, path and verb to a web action, lists the route, serves it, and deletes it', async () => {
    writeFileSync(join(cli.home, 'books.js'), `function main(p) { return { isbn: p.isbn, via: p.__ow_method }; }`);
    expect((await cli.run(['action', 'create', 'books', join(cli.home, 'books.js'), '--web', 'true'])).code).toBe(ExitCode.OK);
    const created = await cli.run(['api', 'create', '/lib', '/books/{isbn}', 'get', 'books', '--response-type', 'json']);
    expect(created.code, created.stderr).toBe(ExitCode.OK);
    expect(created.stdout).toMatch(/^ok: created API \/lib\/books\/\{isbn\} GET\n.*\/apis\/guest\/lib\/books\/\{isbn\}\n$/);
    const listed = await cli.json(['api', 'list', '--json']);
    expect(listed.body).toEqual([expect.objectContaining({ basePath: '/lib', relPath: '/books/{isbn}', operation: 'GET' })]);
    const served = await fetch(`${world.whirl.url}/apis/guest/lib/books/978-3`);
    expect(await served.json()).toEqual({ isbn: '978-3', via: 'get' });
    expect((await cli.run(['api', 'delete', '/lib'])).stdout).toBe('ok: deleted API /lib\n');
    expect((await cli.json(['api', 'list', '--json'])).body).toEqual([]);
    expect((await cli.run(['api', 'delete', '/lib'])).code).toBe(ExitCode.NOT_FOUND);
  });
});

describe('whirl completion with a server', () => {
  it('completes entity names asked of the API, and nothing when the API is unreachable', async () => {
    // `whirl` on PATH, as an installed bin would be
    const binDir = join(cli.home, 'bin');
    mkdirSync(binDir, { recursive: true });
    const shim = join(binDir, 'whirl');
    writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${fileURLToPath(new URL('../../bin/whirl.mjs', import.meta.url))}" "$@"\n`);
    chmodSync(shim, 0o755);
    const script = join(cli.home, 'whirl.bash');
    writeFileSync(script, (await cli.run(['completion', 'bash'])).stdout);
    const complete = async (words: string[], env: Record<string, string> = {}) => {
      const program = `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _whirl; echo "\${COMPREPLY[*]}"`;
      const { stdout } = await promisify(execFile)('bash', ['-c', program], {
        cwd: cli.home,
        env: { PATH: `${binDir}:${process.env.PATH}`, HOME: cli.home, ...env },
      });
      return stdout.trim();
    };
    expect(await complete(['whirl', 'action', 'invoke', 'ec'])).toBe('echo');
    expect((await complete(['whirl', 'action', 'get', ''])).split(' ').sort()).toEqual(expect.arrayContaining(['echo', 'feed']));
    expect(await complete(['whirl', 'action', 'invoke', 'ec'], { WHIRL_APIHOST: 'http://127.0.0.1:9' })).toBe('');
  });
});
