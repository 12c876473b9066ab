import { describe, expect, it } from 'vitest';
import { parseArgs, type FlagSpec } from '../../src/cli/args.js';
import { CliError, ExitCode } from '../../src/cli/cli-error.js';
import { parseEntityName, qualifiedName, entityUrl } from '../../src/cli/entity-path.js';
import { parseValue } from '../../src/cli/key-values.js';

const SPECS: FlagSpec[] = [
  { name: 'param', short: 'p', type: 'pair', description: '' },
  { name: 'blocking', short: 'b', type: 'boolean', description: '' },
  { name: 'result', short: 'r', type: 'boolean', description: '' },
  { name: 'timeout', short: 't', type: 'number', description: '' },
  { name: 'kind', type: 'string', description: '' },
  { name: 'web', type: 'string', choices: ['true', 'false', 'raw'], description: '' },
  { name: 'del', type: 'list', description: '' },
];

function usageOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CliError ? err.exitCode : -1;
  }
  return undefined;
}

describe('parseArgs', () => {
  it('reads wsk-style pairs, bundles, =values and positionals in any order', () => {
    const r = parseArgs(['hello', '-p', 'a', '1', '--param=b', '"x"', '-br', 'file.js', '--kind', 'nodejs:20', '-t5000'], SPECS);
    expect(r.positionals).toEqual(['hello', 'file.js']);
    expect(r.flags).toEqual({ param: [['a', '1'], ['b', '"x"']], blocking: true, result: true, kind: 'nodejs:20', timeout: 5000 });
  });

  it('stops at -- and keeps negative numbers as values', () => {
    const r = parseArgs(['-t', '-5', '--', '-p', 'x'], SPECS);
    expect(r.flags.timeout).toBe(-5);
    expect(r.positionals).toEqual(['-p', 'x']);
  });

  it('repeats list flags and accepts =true/=false for booleans', () => {
    const r = parseArgs(['--del', 'a', '--del=b', '--blocking=false'], SPECS);
    expect(r.flags).toEqual({ del: ['a', 'b'], blocking: false });
  });

  it.each([
    [['--nope']],
    [['-x']],
    [['-p', 'only-key']],
    [['--timeout', 'soon']],
    [['--web', 'maybe']],
    [['-bt']],
    [['--kind']],
  ])('refuses %j as a usage error', (argv) => {
    expect(usageOf(() => parseArgs(argv, SPECS))).toBe(ExitCode.USAGE);
  });
});

describe('entity names', () => {
  it('resolves relative, packaged and absolute names', () => {
    expect(parseEntityName('a', '_')).toEqual({ namespace: '_', name: 'a' });
    expect(parseEntityName('p/a', 'ns')).toEqual({ namespace: 'ns', pkg: 'p', name: 'a' });
    expect(parseEntityName('/guest/a', '_')).toEqual({ namespace: 'guest', name: 'a' });
    expect(qualifiedName(parseEntityName('/guest/p/a', '_'))).toBe('/guest/p/a');
    expect(entityUrl('actions', parseEntityName('p/a b', '_'))).toBe('namespaces/_/actions/p/a%20b');
  });

  it.each(['', '/', '/ns', 'a//b', '/ns/p/a/b', 'p/a/b'])('refuses %j', (name) => {
    expect(usageOf(() => parseEntityName(name, '_'))).toBe(ExitCode.USAGE);
  });

  it('refuses packages where the collection has none', () => {
    expect(usageOf(() => parseEntityName('p/t', '_', false))).toBe(ExitCode.USAGE);
  });
});

describe('parameter values', () => {
  it('parses JSON values and keeps anything else as a string, as wsk', () => {
    expect(parseValue('3')).toBe(3);
    expect(parseValue('"3"')).toBe('3');
    expect(parseValue('{"a":[1]}')).toEqual({ a: [1] });
    expect(parseValue('true')).toBe(true);
    expect(parseValue('hello world')).toBe('hello world');
  });
});
