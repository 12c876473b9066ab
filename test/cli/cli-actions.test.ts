import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/cli-error.js';
import { startCliWorld, until, type Cli } from './cli-harness.js';

/**
 * `whirl action …` and `whirl activation …` as a child process against a live Whirl (its own process, embedded
 * defaults), with a temporary HOME configured by `whirl property set`.
 */
let world: Awaited<ReturnType<typeof startCliWorld>>;
let cli: Cli;
const HELLO = `function main(p) { console.log('hello ' + p.name); return { payload: (p.greeting || 'Hello') + ' ' + p.name }; }\n`;

beforeAll(async () => {
  world = await startCliWorld();
  cli = world.cli;
  const files: Record<string, string> = {
    'hello.js': HELLO,
    'fail.js': `function main() { return { error: 'boom' }; }`,
    'slow.js': `function main() { return new Promise((r) => setTimeout(() => r({ done: true }), 3000)); }`,
    'upper.js': `function main(p) { return { payload: String(p.payload).toUpperCase() }; }`,
    'code.txt': `function main() { return { txt: true }; }`,
    'params.json': JSON.stringify({ name: 'File', greeting: 'Howdy' }),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cli.home, name), text);
});
afterAll(async () => {
  await world?.stop();
});

const HEX32 = /[0-9a-f]{32}/;

describe('whirl action', () => {
  it('creates, shows, updates, lists and deletes an action', async () => {
    const created = await cli.run(['action', 'create', 'hello', 'hello.js', '-p', 'greeting', 'Hi', '-a', 'description', 'says hello', '-t', '3000', '-m', '128']);
    expect(created).toMatchObject({ code: ExitCode.OK, stdout: 'ok: created action hello\n' });

    const again = await cli.run(['action', 'create', 'hello', 'hello.js']);
    expect(again.code).toBe(ExitCode.API);
    expect(again.stderr).toMatch(/^error: action create hello: .*\(code [\w-]+\)\n$/);

    const got = await cli.json(['action', 'get', 'hello', '--json']);
    expect(got.body.exec).toMatchObject({ kind: 'nodejs:20', code: HELLO });
    expect(got.body.limits).toMatchObject({ timeout: 3000, memory: 128 });
    expect(got.body.parameters).toEqual([{ key: 'greeting', value: 'Hi' }]);
    expect(got.body.annotations).toContainEqual({ key: 'description', value: 'says hello' });

    // update changes only what the flags name: memory and the description annotation survive
    expect((await cli.run(['action', 'update', 'hello', '-t', '4000', '--web', 'true'])).code).toBe(ExitCode.OK);
    const updated = await cli.json(['action', 'get', 'hello', '--json']);
    expect(updated.body.limits).toMatchObject({ timeout: 4000, memory: 128 });
    expect(updated.body.annotations).toEqual(
      expect.arrayContaining([
        { key: 'description', value: 'says hello' },
        { key: 'web-export', value: true },
        { key: 'final', value: true },
      ]),
    );
    expect(updated.body.exec.code).toBe(HELLO);

    const [field, url, save, summary, list, listed, count] = await Promise.all([
      cli.run(['action', 'get', 'hello', 'limits']),
      cli.run(['action', 'get', 'hello', '--url']),
      cli.run(['action', 'get', 'hello', '--save-as', 'saved.js']),
      cli.run(['action', 'get', 'hello', '--summary']),
      cli.run(['action', 'list']),
      cli.json(['action', 'list', '--json']),
      cli.run(['action', 'list', '--count']),
    ]);
    expect(field.stdout).toMatch(/^ok: got action hello, displaying field limits\n\{\n/);
    expect(url.stdout).toBe(`${world.whirl.url}/api/v1/web/guest/default/hello\n`);
    expect(save.code).toBe(ExitCode.OK);
    expect(readFileSync(join(cli.home, 'saved.js'), 'utf8')).toBe(HELLO);
    expect(summary.stdout).toContain('(parameters: greeting)');
    expect(list.stdout).toMatch(/^actions\n(.*\n)*\/guest\/hello +private +nodejs:20\n/);
    expect(listed.body.map((a: any) => a.name)).toContain('hello');
    expect(count.stdout).toMatch(/^\d+\n$/);

    expect((await cli.run(['action', 'get', 'nothere'])).code).toBe(ExitCode.NOT_FOUND);
    expect((await cli.run(['action', 'create', 'gone', 'hello.js'])).code).toBe(ExitCode.OK);
    expect((await cli.run(['action', 'delete', 'gone'])).stdout).toBe('ok: deleted action gone\n');
    expect((await cli.run(['action', 'get', 'gone'])).code).toBe(ExitCode.NOT_FOUND);
    expect((await cli.run(['action', 'delete', 'gone'])).code).toBe(ExitCode.NOT_FOUND);
  });

  it('creates sequences, blackbox actions, and kinds from --kind; refuses a file of unknown kind', async () => {
    expect((await cli.run(['action', 'create', 'upper', 'upper.js'])).code).toBe(ExitCode.OK);
    expect((await cli.run(['action', 'create', 'base', 'hello.js'])).code).toBe(ExitCode.OK);
    expect((await cli.run(['action', 'create', 'seq', '--sequence', 'base,/_/upper'])).code).toBe(ExitCode.OK);
    const seq = await cli.json(['action', 'get', 'seq', '--json']);
    expect(seq.body.exec).toMatchObject({ kind: 'sequence', components: ['/guest/base', '/guest/upper'] });
    const ran = await cli.run(['action', 'invoke', 'seq', '-r', '-p', 'name', 'Sue']);
    expect(ran).toMatchObject({ code: ExitCode.OK });
    expect(JSON.parse(ran.stdout)).toEqual({ payload: 'HELLO SUE' });

    expect((await cli.run(['action', 'create', 'img', '--docker', 'whirl/runtime-blackbox:1'])).code).toBe(ExitCode.OK);
    expect((await cli.json(['action', 'get', 'img', '--json'])).body.exec).toMatchObject({ kind: 'blackbox', image: 'whirl/runtime-blackbox:1' });

    const codes = await Promise.all([
      cli.run(['action', 'create', 'txt', 'code.txt']),
      cli.run(['action', 'create', 'txt2', 'code.txt', '--kind', 'nodejs:20']),
      cli.run(['action', 'create', 'bad', 'hello.js', '--kind', 'cobol:1']),
      cli.run(['action', 'create', 'missing', 'nope.js']),
      cli.run(['action', 'create', 'nofile']),
    ]);
    expect(codes.map((r) => r.code)).toEqual([ExitCode.USAGE, ExitCode.OK, ExitCode.API, ExitCode.USAGE, ExitCode.USAGE]);
  });
});

describe('whirl action invoke and whirl activation', () => {
  let asyncId = '';

  beforeAll(async () => {
    for (const [name, file] of [['greet', 'hello.js'], ['fail', 'fail.js'], ['slow', 'slow.js']] as const) {
      const r = await cli.run(['action', 'create', name, file, '--web', 'false']);
      if (r.code !== 0) throw new Error(r.stderr);
    }
  });

  it('invokes blocking for the result, blocking for the record, and non-blocking for an id', async () => {
    const result = await cli.run(['action', 'invoke', 'greet', '-r', '-p', 'name', 'Ann']);
    expect(result.code).toBe(ExitCode.OK);
    expect(JSON.parse(result.stdout)).toEqual({ payload: 'Hello Ann' });

    const record = await cli.run(['action', 'invoke', 'greet', '-b', '-P', 'params.json']);
    expect(record.code).toBe(ExitCode.OK);
    const [ok, ...json] = record.stdout.split('\n');
    expect(ok).toMatch(/^ok: invoked \/_\/greet with id [0-9a-f]{32}$/);
    expect(JSON.parse(json.join('\n')).response.result).toEqual({ payload: 'Howdy File' });

    const scripted = await cli.json(['action', 'invoke', 'greet', '-br', '--json', '-p', 'name', '"42"']);
    expect(scripted.body).toEqual({ payload: 'Hello 42' });

    const fired = await cli.run(['action', 'invoke', 'greet', '-p', 'name', 'Bo']);
    expect(fired.code).toBe(ExitCode.OK);
    asyncId = HEX32.exec(fired.stdout)![0];
    expect(fired.stdout).toBe(`ok: invoked /_/greet with id ${asyncId}\n`);
  });

  it('exits FAILED when the action fails, still printing what it returned', async () => {
    const blocking = await cli.run(['action', 'invoke', 'fail', '-b']);
    expect(blocking.code).toBe(ExitCode.FAILED);
    expect(blocking.stdout).toMatch(/^ok: invoked \/_\/fail with id [0-9a-f]{32}\n/);
    expect(blocking.stdout).toContain('"status": "application error"');
    expect(blocking.stderr).toMatch(/^error: action \/_\/fail failed \(activation [0-9a-f]{32}\): boom\n$/);

    const result = await cli.run(['action', 'invoke', 'fail', '-r']);
    expect(result.code).toBe(ExitCode.FAILED);
    expect(JSON.parse(result.stdout)).toEqual({ error: 'boom' });
  });

  it('exits NOT_FINISHED (202) when a blocking invoke outlasts its wait', async () => {
    const r = await cli.run(['action', 'invoke', 'slow', '-b', '--wait', '300']);
    expect(r.code).toBe(ExitCode.NOT_FINISHED);
    expect(r.stdout).toMatch(/^ok: invoked \/_\/slow, but the request has not yet finished, with id [0-9a-f]{32}\n$/);
  });

  it('lists activations and shows one record, its logs and its result, by id or --last', async () => {
    const logs = await until(async () => {
      const r = await cli.run(['activation', 'logs', asyncId]);
      return r.code === 0 ? r.stdout : undefined;
    });
    expect(logs).toMatch(/^\S+ +stdout: hello Bo\n$/);
    expect((await cli.run(['activation', 'logs', asyncId, '--strip'])).stdout).toBe('hello Bo\n');
    expect(JSON.parse((await cli.run(['activation', 'result', asyncId])).stdout)).toEqual({ payload: 'Hello Bo' });
    const got = await cli.json(['activation', 'get', asyncId, '--json']);
    expect(got.body).toMatchObject({ activationId: asyncId, name: 'greet', response: { status: 'success' } });
    const field = await cli.run(['activation', 'get', asyncId, 'name']);
    expect(field.stdout).toBe(`ok: got activation ${asyncId}, displaying field name\n"greet"\n`);

    const list = await cli.run(['activation', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^Datetime +Activation ID +Kind +Start +Duration +Status +Entity$/);
    expect(list.stdout).toMatch(new RegExp(`${asyncId} +nodejs:20 +(cold|warm) +\\d+ms +success +guest/greet:0\\.0\\.1`));
    expect(list.stdout).toMatch(/ +application error +guest\/fail:0\.0\.1/);
    const named = await cli.json(['activation', 'list', 'fail', '--json']);
    expect(named.body.length).toBeGreaterThan(0);
    expect(named.body.every((a: any) => a.name === 'fail')).toBe(true);
    expect((await cli.json(['activation', 'list', '--limit', '1', '--json'])).body).toHaveLength(1);

    const last = await cli.json(['activation', 'get', '--last', '--json']);
    expect(last.body.activationId).toMatch(HEX32);
    expect((await cli.run(['activation', 'result', '--last'])).code).toBe(ExitCode.OK);

    const bad = await Promise.all([
      cli.run(['activation', 'get', '0123']),
      cli.run(['activation', 'get', '0123456789abcdef0123456789abcdef']),
      cli.run(['activation', 'get']),
    ]);
    expect(bad.map((r) => r.code)).toEqual([ExitCode.API, ExitCode.NOT_FOUND, ExitCode.USAGE]);
  });

  it('polls activations with their logs until --exit', async () => {
    const r = await cli.run(['activation', 'poll', 'greet', '--since-minutes', '10', '--exit', '2', '--interval', '500']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stderr).toContain('Polling for activation logs of greet');
    expect(r.stdout).toContain(`Activation: 'greet' (${asyncId})\n`);
    expect(r.stdout).toContain('stdout: hello Bo');
    expect(r.stdout).not.toContain("'fail'");
    // each activation once, however many polls saw it
    expect(r.stdout.split(asyncId)).toHaveLength(2);

    const json = await cli.run(['activation', 'poll', '--since-minutes', '10', '--exit', '1', '--json']);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.activationId)).toContain(asyncId);
  });

  it('exits INTERRUPTED (130) on Ctrl-C during a blocking invoke', async () => {
    // The action takes 3 s, so the Ctrl-C lands while the CLI starts or while it waits: both are an interruption.
    const r = await cli.run(['action', 'invoke', 'slow', '-b'], { interruptAfterMs: 1500 });
    expect(r.code).toBe(ExitCode.INTERRUPTED);
  });

  it('stops polling cleanly on Ctrl-C', async () => {
    const started = Date.now();
    const r = await cli.run(['activation', 'poll', '--interval', '60000'], {
      interruptWhen: ({ stderr }) => stderr.includes('Polling for activation logs'),
    });
    expect(r.code).toBe(ExitCode.OK);
    expect(Date.now() - started).toBeLessThan(30_000); // not the 60 s interval
  });

  it('reports bad credentials with exit AUTH', async () => {
    const r = await cli.run(['action', 'list', '--auth', 'nobody:nokey']);
    expect(r.code).toBe(ExitCode.AUTH);
    expect(r.stderr).toContain('check AUTH');
  });
});
