import { describe, expect, it } from 'vitest';
import { fullyQualified, isValidName, parseQualifiedName } from '../../../src/domain/names.js';
import { newActivationId, parseActivationId } from '../../../src/domain/ids.js';
import { isBinaryCode } from '../../../src/domain/exec.js';
import { kvMerge } from '../../../src/domain/key-value.js';
import { nextVersion } from '../../../src/domain/action.js';

describe('names', () => {
  it.each(['a', 'hello', 'a-b.c@d&e', 'x y', 'A_1'])('accepts %s', (n) => expect(isValidName(n)).toBe(true));
  it.each(['', ' a', 'a ', '-a', 'a/b', '../x', 'é', 'a'.repeat(257), 'a\n'])('rejects %j', (n) =>
    expect(isValidName(n)).toBe(false),
  );
  it('parses qualified names relative to the caller', () => {
    expect(parseQualifiedName('/_/pkg/a', 'guest')).toEqual({ namespace: 'guest', pkg: 'pkg', name: 'a' });
    expect(parseQualifiedName('a', 'guest')).toEqual({ namespace: 'guest', name: 'a' });
    expect(parseQualifiedName('/other/a', 'guest')).toEqual({ namespace: 'other', name: 'a' });
    expect(parseQualifiedName('/a/b/c/d', 'guest')).toBeUndefined();
    expect(fullyQualified({ namespace: 'n', pkg: 'p', name: 'a' })).toBe('/n/p/a');
  });
});

describe('ids', () => {
  it('makes 32-hex activation ids and parses only those', () => {
    const id = newActivationId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(parseActivationId(id)).toBe(id);
    expect(parseActivationId('xyz')).toBeUndefined();
    expect(parseActivationId(id.toUpperCase())).toBeUndefined();
  });
});

describe('exec and key-values', () => {
  it('infers binary code like OpenWhisk', () => {
    expect(isBinaryCode('UEsDBAoAAAAAAA==')).toBe(true);
    expect(isBinaryCode('function main(){}')).toBe(false);
  });
  it('merges key-value lists, later wins, order kept', () => {
    expect(kvMerge([{ key: 'a', value: 1 }, { key: 'b', value: 2 }], [{ key: 'a', value: 3 }])).toEqual([
      { key: 'a', value: 3 },
      { key: 'b', value: 2 },
    ]);
  });
  it('bumps the patch version', () => {
    expect(nextVersion('0.0.1')).toBe('0.0.2');
    expect(nextVersion('1.2.9')).toBe('1.2.10');
  });
});
