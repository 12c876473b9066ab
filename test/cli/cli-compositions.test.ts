import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/cli-error.js';
import { startCliWorld, type Cli } from './cli-harness.js';

/**
 * `whirl composition …` as a child process against a live Whirl: deploy from YAML, JSON and TypeScript (the DSL),
 * run blocking and not, follow an execution (status --wait, history), cancel one, and the entity commands.
 */
let world: Awaited<ReturnType<typeof startCliWorld>>;
let cli: Cli;
const DSL = fileURLToPath(new URL('../../src/dsl/index.js', import.meta.url));

beforeAll(async () => {
  world = await startCliWorld();
  cli = world.cli;
  const files: Record<string, string> = {
    'greet.js': `function main(p) { return { payload: 'hello ' + p.name }; }`,
    'shout.js': `function main(p) { return { payload: String(p.payload).toUpperCase() }; }`,
    'pipeline.yaml': 'whirl: "1"\nroot:\n  type: sequence\n  steps:\n    - { type: task, action: greet }\n    - { type: task, action: shout }\n',
    'body.json': JSON.stringify({
      definition: { whirl: '1', root: { type: 'fail', error: 'Nope', cause: 'on purpose' } },
      annotations: [{ key: 'description', value: 'always fails' }],
    }),
    'parked.ts': `import { composition, sequence, task, wait } from ${JSON.stringify(DSL)};\nexport default composition(sequence(wait(60000), task('greet')));\n`,
    'mistyped.ts': `import { composition, sequence, task, wait } from ${JSON.stringify(DSL)};\nexport default composition(sequence(wait('soon'), task('greet')));\n`,
    'invalid.json': JSON.stringify({ whirl: '1', root: { type: 'task', action: 'no-such-action' } }),
    'broken.yaml': 'whirl: "1"\nroot: [unclosed\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cli.home, name), text);
  for (const name of ['greet', 'shout']) {
    const r = await cli.run(['action', 'create', name, `${name}.js`]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
});
afterAll(async () => {
  await world?.stop();
});

const idOf = (text: string) => /with id ([0-9a-f]{32})/.exec(text)![1]!;

describe('whirl composition', () => {
  it('deploys from YAML, JSON and TypeScript, and refuses invalid ones with the offending path', async () => {
    const [yaml, json, ts] = await Promise.all([
      cli.run(['composition', 'deploy', 'pipeline', 'pipeline.yaml']),
      cli.run(['composition', 'deploy', 'doomed', 'body.json']),
      cli.run(['composition', 'deploy', 'parked', 'parked.ts']),
    ]);
    expect(yaml).toMatchObject({ code: ExitCode.OK, stdout: 'ok: deployed composition pipeline\n' });
    expect(json.code).toBe(ExitCode.OK);
    expect(ts.code).toBe(ExitCode.OK);
    const parked = await cli.json(['composition', 'get', 'parked', '--json']);
    expect(parked.body.definition.root).toMatchObject({ type: 'sequence', steps: [{ type: 'wait', ms: 60000 }, { type: 'task', action: 'greet' }] });
    const doomed = await cli.json(['composition', 'get', 'doomed', '--json']);
    expect(doomed.body.annotations).toEqual([{ key: 'description', value: 'always fails' }]);

    const invalid = await cli.run(['composition', 'deploy', 'invalid', 'invalid.json']);
    expect(invalid.code).toBe(ExitCode.API);
    expect(invalid.stderr).toContain('/root/action');
    const [broken, missing, noOverwrite] = await Promise.all([
      cli.run(['composition', 'deploy', 'broken', 'broken.yaml']),
      cli.run(['composition', 'deploy', 'missing', 'missing.yaml']),
      cli.run(['composition', 'deploy', 'pipeline', 'pipeline.yaml', '--no-overwrite']),
    ]);
    expect(broken.code).toBe(ExitCode.USAGE);
    expect(broken.stderr).toContain('not valid YAML');
    const mistyped = await cli.run(['composition', 'deploy', 'mistyped', 'mistyped.ts']);
    expect(mistyped.code).toBe(ExitCode.USAGE);
    expect(mistyped.stderr).toContain('does not type-check');
    expect(mistyped.stderr).toContain('mistyped.ts(2,');
    expect(missing.code).toBe(ExitCode.USAGE);
    expect(noOverwrite.code).toBe(ExitCode.API);

    const list = await cli.run(['composition', 'list', '--name-sort']);
    expect(list.stdout).toMatch(/^compositions\n\/guest\/doomed +private\n\/guest\/parked +private\n\/guest\/pipeline +private\n$/);
  }, 120_000);

  it('runs a composition for its result, its record, or an id to follow with status and history', async () => {
    const result = await cli.run(['composition', 'run', 'pipeline', '-r', '-p', 'name', 'ann']);
    expect(result.code).toBe(ExitCode.OK);
    expect(JSON.parse(result.stdout)).toEqual({ payload: 'HELLO ANN' });

    const record = await cli.run(['composition', 'run', 'pipeline', '-b', '-p', 'name', 'bo']);
    expect(record.code).toBe(ExitCode.OK);
    const body = JSON.parse(record.stdout.split('\n').slice(1).join('\n'));
    expect(body).toMatchObject({ name: 'pipeline', response: { status: 'success', result: { payload: 'HELLO BO' } } });
    expect(body.logs).toHaveLength(2); // one activation id per task

    const started = await cli.run(['composition', 'run', 'pipeline', '-p', 'name', 'cy']);
    const id = idOf(started.stdout);
    const done = await cli.run(['composition', 'status', 'pipeline', id, '--wait', '--interval', '100']);
    expect(done.code).toBe(ExitCode.OK);
    expect(done.stdout).toBe(`ok: execution ${id} of pipeline: succeeded\n{\n  "payload": "HELLO CY"\n}\n`);
    const history = await cli.run(['composition', 'history', 'pipeline', id]);
    expect(history.stdout.split('\n')[0]).toMatch(/^Seq +\+ms +Event +Step +Attempt +Activation +Detail$/);
    expect(history.stdout.match(/TaskDispatched +\/root\/steps\/\d +1 +[0-9a-f]{32}/g)).toHaveLength(2);
    expect(history.stdout).toContain('ExecutionSucceeded');
    const historyJson = await cli.json(['composition', 'history', 'pipeline', id, '--json']);
    expect(historyJson.body.at(-1).type).toBe('ExecutionSucceeded');
  });

  it('exits FAILED for a failing composition, and for its failed status', async () => {
    const r = await cli.run(['composition', 'run', 'doomed', '-r']);
    expect(r.code).toBe(ExitCode.FAILED);
    // what the error says is the engine's business (tested there); the CLI prints it and exits FAILED
    expect(JSON.parse(r.stdout)).toHaveProperty('error');
    expect(r.stderr).toMatch(/^error: composition \/_\/doomed failed \(activation [0-9a-f]{32}\): /);
    const id = idOf((await cli.run(['composition', 'run', 'doomed'])).stdout);
    const status = await cli.json(['composition', 'status', 'doomed', id, '--wait', '--interval', '100', '--json']);
    expect(status.code).toBe(ExitCode.FAILED);
    expect(status.body).toMatchObject({ activationId: id, status: 'failed' });
    expect(status.body.error).toBeDefined();
  });

  it('cancels a running execution once', async () => {
    const id = idOf((await cli.run(['composition', 'run', 'parked'])).stdout);
    expect((await cli.run(['composition', 'status', 'parked', id])).stdout).toBe(`ok: execution ${id} of parked: running\n`);
    expect(await cli.run(['composition', 'cancel', 'parked', id])).toMatchObject({ code: 0, stdout: `ok: cancelled execution ${id}\n` });
    const after = await cli.run(['composition', 'status', 'parked', id]);
    expect(after.code).toBe(ExitCode.FAILED);
    expect(after.stdout).toContain(`of parked: cancelled`);
    expect((await cli.run(['composition', 'cancel', 'parked', id])).code).toBe(ExitCode.API);
    expect((await cli.run(['composition', 'status', 'parked', '0123456789abcdef0123456789abcdef'])).code).toBe(ExitCode.NOT_FOUND);
  });

  it('deletes compositions', async () => {
    expect((await cli.run(['composition', 'delete', 'doomed'])).stdout).toBe('ok: deleted composition doomed\n');
    expect((await cli.run(['composition', 'get', 'doomed'])).code).toBe(ExitCode.NOT_FOUND);
    expect((await cli.run(['composition', 'run', 'doomed'])).code).toBe(ExitCode.NOT_FOUND);
  });
});
