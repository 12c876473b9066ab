import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiBaseUrl, parsePropsFile, propsFiles, resolveProperties, updatePropsFile } from '../../src/cli/props.js';

const dirs: string[] = [];
function home(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'whirl-props-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('CLI properties', () => {
  it('takes each key from the first of flag, env, ~/.whirlprops, ~/.wskprops, default', async () => {
    const h = home({
      '.whirlprops': 'APIHOST=whirl-file:1\n',
      '.wskprops': '# wsk\nAPIHOST=wsk-file:1\nAUTH=wsk:auth\nNAMESPACE=wskns\n',
    });
    const files = propsFiles({}, h);
    const fromFiles = await resolveProperties({}, {}, files);
    expect(fromFiles.APIHOST).toEqual({ value: 'whirl-file:1', source: join(h, '.whirlprops') });
    expect(fromFiles.AUTH).toEqual({ value: 'wsk:auth', source: join(h, '.wskprops') });
    expect(fromFiles.NAMESPACE?.value).toBe('wskns');

    const fromEnv = await resolveProperties({}, { WHIRL_AUTH: 'env:auth', __OW_API_HOST: 'ow-env:1', __OW_API_KEY: 'ow:key' }, files);
    expect(fromEnv.AUTH).toEqual({ value: 'env:auth', source: 'env WHIRL_AUTH' });
    expect(fromEnv.APIHOST).toEqual({ value: 'ow-env:1', source: 'env __OW_API_HOST' });

    const fromFlag = await resolveProperties({ AUTH: 'flag:auth' }, { WHIRL_AUTH: 'env:auth' }, files);
    expect(fromFlag.AUTH).toEqual({ value: 'flag:auth', source: 'flag' });
  });

  it('defaults APIHOST to the local Whirl and NAMESPACE to _, and never invents AUTH', async () => {
    const props = await resolveProperties({}, {}, propsFiles({}, home()));
    expect(props.APIHOST?.value).toBe('http://127.0.0.1:3233');
    expect(props.NAMESPACE?.value).toBe('_');
    expect(props.AUTH).toBeUndefined();
  });

  it('honours WHIRL_CONFIG_FILE and WSK_CONFIG_FILE', () => {
    expect(propsFiles({ WHIRL_CONFIG_FILE: '/x/w', WSK_CONFIG_FILE: '/x/k' }, '/h')).toEqual({ whirl: '/x/w', wsk: '/x/k' });
  });

  it('rewrites only the keys it changes, owner-readable only', async () => {
    const h = home({ '.whirlprops': 'APIHOST=a\nOTHER=kept\n' });
    const file = join(h, '.whirlprops');
    await updatePropsFile(file, { AUTH: 'u:k', APIHOST: undefined });
    expect(parsePropsFile(readFileSync(file, 'utf8'))).toEqual(new Map([['OTHER', 'kept'], ['AUTH', 'u:k']]));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('turns APIHOST into a base URL as wsk does, with http for loopback', () => {
    expect(apiBaseUrl('openwhisk.example.com')).toBe('https://openwhisk.example.com');
    expect(apiBaseUrl('127.0.0.1:3233')).toBe('http://127.0.0.1:3233');
    expect(apiBaseUrl('localhost:3233/')).toBe('http://localhost:3233');
    expect(apiBaseUrl('http://h:1')).toBe('http://h:1');
  });
});
