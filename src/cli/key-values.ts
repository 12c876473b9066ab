import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { usageError } from './cli-error.js';

/**
 * Parameters and annotations from the command line, as `wsk` reads them: `-p KEY VALUE` (VALUE is parsed as JSON when
 * it is valid JSON — `-p n 3` is the number 3, `-p s '"3"'` the string — and kept as a string otherwise), and
 * `-P FILE` (a JSON object). Later values win; `-p` wins over `-P`.
 */
export type KeyValue = { key: string; value: unknown };

export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function readJsonObjectFile(cwd: string, file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usageError(`${what} file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`${what} file ${file} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Merges `-P file` then `-p` pairs into one object; `undefined` when neither was given. */
export async function collectObject(
  cwd: string,
  pairs: Array<[string, string]> | undefined,
  file: string | undefined,
  what: string,
): Promise<Record<string, unknown> | undefined> {
  if (!pairs && !file) return undefined;
  const out: Record<string, unknown> = file ? await readJsonObjectFile(cwd, file, what) : {};
  for (const [key, value] of pairs ?? []) out[key] = parseValue(value);
  return out;
}

export function toKeyValues(obj: Record<string, unknown>): KeyValue[] {
  return Object.entries(obj).map(([key, value]) => ({ key, value }));
}

export function fromKeyValues(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const item of list as Array<{ key?: unknown; value?: unknown }>) {
    if (typeof item?.key === 'string') out[item.key] = item.value;
  }
  return out;
}
