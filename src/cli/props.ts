import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { usageError } from './cli-error.js';

/**
 * The CLI's connection properties and where each value came from. Precedence, highest first:
 *   1. command-line flags (`--apihost`, `--auth`, `--namespace`)
 *   2. environment: WHIRL_APIHOST / WHIRL_AUTH / WHIRL_NAMESPACE, then the openwhisk npm client's
 *      __OW_API_HOST / __OW_API_KEY / __OW_NAMESPACE
 *   3. ~/.whirlprops (or $WHIRL_CONFIG_FILE), written by `whirl property set`
 *   4. ~/.wskprops (or $WSK_CONFIG_FILE), read-only: an existing `wsk` setup works as is
 *   5. defaults: APIHOST http://127.0.0.1:3233 (what `npm start` serves), NAMESPACE `_`; AUTH has none
 */
export const PROPERTY_KEYS = ['APIHOST', 'AUTH', 'NAMESPACE'] as const;
export type PropertyKey = (typeof PROPERTY_KEYS)[number];

export interface PropertyValue {
  value: string;
  /** `flag`, `env WHIRL_AUTH`, the props file path, or `default`. */
  source: string;
}

export type Properties = Partial<Record<PropertyKey, PropertyValue>>;

export const DEFAULT_APIHOST = 'http://127.0.0.1:3233';

const ENV_NAMES: Record<PropertyKey, readonly string[]> = {
  APIHOST: ['WHIRL_APIHOST', '__OW_API_HOST'],
  AUTH: ['WHIRL_AUTH', '__OW_API_KEY'],
  NAMESPACE: ['WHIRL_NAMESPACE', '__OW_NAMESPACE'],
};

export interface PropsFiles {
  /** Where `property set` writes. */
  whirl: string;
  wsk: string;
}

export function propsFiles(env: Readonly<Record<string, string | undefined>>, home: string): PropsFiles {
  return {
    whirl: env.WHIRL_CONFIG_FILE || join(home, '.whirlprops'),
    wsk: env.WSK_CONFIG_FILE || join(home, '.wskprops'),
  };
}

/** `KEY=value` lines; `#` comments and blank lines ignored; unknown keys kept for rewriting. */
export function parsePropsFile(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    entries.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return entries;
}

export async function readPropsFile(path: string): Promise<Map<string, string>> {
  try {
    return parsePropsFile(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw usageError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Rewrites the whirl props file with `changes` applied (`undefined` removes a key); other keys are kept. */
export async function updatePropsFile(path: string, changes: Partial<Record<PropertyKey, string | undefined>>): Promise<void> {
  const entries = await readPropsFile(path);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) entries.delete(key);
    else entries.set(key, value);
  }
  await mkdir(dirname(path), { recursive: true });
  const text = [...entries].map(([k, v]) => `${k}=${v}`).join('\n');
  // The file holds a key: readable by its owner only (`mode` applies only when creating, hence the chmod).
  await writeFile(path, text ? `${text}\n` : '', { mode: 0o600 });
  await chmod(path, 0o600);
}

export async function resolveProperties(
  flags: Partial<Record<PropertyKey, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  files: PropsFiles,
): Promise<Properties> {
  const whirl = await readPropsFile(files.whirl);
  const wsk = await readPropsFile(files.wsk);
  const props: Properties = {};
  for (const key of PROPERTY_KEYS) {
    const flag = flags[key];
    const envName = ENV_NAMES[key].find((n) => env[n]);
    if (flag) props[key] = { value: flag, source: 'flag' };
    else if (envName) props[key] = { value: env[envName]!, source: `env ${envName}` };
    else if (whirl.get(key)) props[key] = { value: whirl.get(key)!, source: files.whirl };
    else if (wsk.get(key)) props[key] = { value: wsk.get(key)!, source: files.wsk };
  }
  props.APIHOST ??= { value: DEFAULT_APIHOST, source: 'default' };
  props.NAMESPACE ??= { value: '_', source: 'default' };
  return props;
}

/**
 * The API base URL for an APIHOST value. Like `wsk`, a host without a scheme gets `https://` — except loopback
 * hosts, which get `http://` since a local Whirl serves plain HTTP.
 */
export function apiBaseUrl(apihost: string): string {
  const trimmed = apihost.replace(/\/+$/, '');
  if (/^https?:\/\//i.test(trimmed)) return trimmed;
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(trimmed);
  return `${loopback ? 'http' : 'https'}://${trimmed}`;
}
