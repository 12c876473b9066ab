import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ExitCode } from '../../src/cli/cli-error.js';
import { startCliWorld, type Cli } from './cli-harness.js';

/** `whirl composition import asl NAME FILE` as a child process against a live Whirl: JSON and YAML, dry run, refusal. */
let world: Awaited<ReturnType<typeof startCliWorld>>;
let cli: Cli;

beforeAll(async () => {
  world = await startCliWorld();
  cli = world.cli;
  copyFileSync('test/fixtures/asl/parameters.json', join(cli.home, 'parameters.json'));
  const greet = { StartAt: 'Greet', States: { Greet: { Type: 'Task', Resource: 'greet', ResultPath: '$.greeting', End: true } } };
  writeFileSync(join(cli.home, 'greet.asl.yaml'), stringify(greet));
  writeFileSync(join(cli.home, 'greet.js'), `function main(p) { return { payload: 'hello ' + p.name }; }`);
  writeFileSync(
    join(cli.home, 'refused.json'),
    JSON.stringify({ StartAt: 'Reader', States: { Reader: { Type: 'Map', ItemReader: {}, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } }),
  );
  const r = await cli.run(['action', 'create', 'greet', 'greet.js']);
  if (r.code !== 0) throw new Error(r.stderr);
}, 90_000);
afterAll(async () => {
  await world?.stop();
});

describe('whirl composition import asl', () => {
  it('imports a JSON state machine and runs it with its documented output', async () => {
    expect(await cli.run(['composition', 'import', 'asl', 'params', 'parameters.json'])).toMatchObject({
      code: ExitCode.OK,
      stdout: 'ok: imported state machine parameters.json as composition params\n',
    });
    const input = { product: { details: { size: 'small' }, availability: 'in stock' } };
    const r = await cli.run(['composition', 'run', 'params', '-r', '-P', writeInput(input)]);
    expect(r.code, r.stderr).toBe(ExitCode.OK);
    expect(JSON.parse(r.stdout)).toEqual({ comment: 'Selecting what I care about.', MyDetails: { size: 'small', exists: 'in stock', StaticValue: 'foo' } });
  }, 60_000);

  it('imports YAML, and --dry-run prints the converted composition without deploying', async () => {
    const dry = await cli.run(['composition', 'import', 'asl', 'greeter', 'greet.asl.yaml', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(ExitCode.OK);
    expect(JSON.parse(dry.stdout)).toMatchObject({ whirl: '1', root: { type: 'task', action: 'greet', id: 'Greet' } });
    expect((await cli.run(['composition', 'get', 'greeter'])).code).toBe(ExitCode.NOT_FOUND);
    expect((await cli.run(['composition', 'import', 'asl', 'greeter', 'greet.asl.yaml'])).code).toBe(ExitCode.OK);
    const r = await cli.run(['composition', 'run', 'greeter', '-r', '-p', 'name', 'ann']);
    expect(JSON.parse(r.stdout)).toEqual({ name: 'ann', greeting: { payload: 'hello ann' } });
    // `deploy` recognises a state machine (StartAt and States) and imports it the same way.
    expect((await cli.run(['composition', 'deploy', 'deployed', 'greet.asl.yaml'])).code).toBe(ExitCode.OK);
    const got = await cli.json(['composition', 'get', 'deployed', '--json']);
    expect(got.body.definition.root).toMatchObject({ type: 'task', action: 'greet', id: 'Greet' });
  }, 60_000);

  it('refuses what it cannot convert, naming the state, locally and through the API', async () => {
    const dry = await cli.run(['composition', 'import', 'asl', 'reader', 'refused.json', '--dry-run']);
    expect(dry.code).toBe(ExitCode.USAGE);
    expect(dry.stderr).toContain('state "Reader": ItemReader is a Distributed Map feature');
    const api = await cli.run(['composition', 'import', 'asl', 'reader', 'refused.json']);
    expect(api.code).toBe(ExitCode.API);
    expect(api.stderr).toContain('state "Reader"');
    const format = await cli.run(['composition', 'import', 'bpmn', 'x', 'refused.json']);
    expect(format.code).toBe(ExitCode.USAGE);
  });
});

function writeInput(v: unknown): string {
  const file = join(cli.home, 'input.json');
  writeFileSync(file, JSON.stringify(v));
  return file;
}
