import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { usageError } from './cli-error.js';
import { flagNumber, flagPairs, flagString, type CommandContext } from './command.js';
import { parseEntityName, qualifiedName } from './entity-path.js';
import { collectObject, fromKeyValues, toKeyValues } from './key-values.js';

/**
 * Builds the PUT body of `action create|update` from the command line, as `wsk` does: the exec from FILE (kind from
 * `--kind` or the file extension), `--docker IMAGE` (blackbox) or `--sequence a,b`; limits from `-t/-m/-l/-c`;
 * `--web` as the `web-export`/`raw-http`/`final` annotations. On update, limits and annotations given on the command
 * line are merged over the stored ones (the API replaces each of them as a whole).
 */
const KIND_BY_EXTENSION: Record<string, string> = {
  '.js': 'nodejs:default',
  '.mjs': 'nodejs:default',
  '.cjs': 'nodejs:default',
  '.py': 'python:default',
  '.swift': 'swift:default',
  '.php': 'php:default',
  '.rb': 'ruby:default',
  '.go': 'go:default',
  '.rs': 'rust:default',
  '.jar': 'java:default',
};
const BINARY_EXTENSIONS = new Set(['.zip', '.jar']);

/** The exec of an action file whose kind its extension tells (`composition deploy --actions`); undefined otherwise. */
export async function execFromFile(cwd: string, file: string): Promise<Record<string, unknown> | undefined> {
  const kind = KIND_BY_EXTENSION[extname(file).toLowerCase()];
  if (!kind) return undefined;
  return { kind, code: (await readCode(cwd, file)).text };
}

export async function buildExec(ctx: CommandContext, file: string | undefined, creating: boolean): Promise<Record<string, unknown> | undefined> {
  const sequence = flagString(ctx, 'sequence');
  const docker = flagString(ctx, 'docker');
  const kindFlag = flagString(ctx, 'kind');
  const main = flagString(ctx, 'main');
  if (sequence !== undefined) {
    if (file || docker) throw usageError('--sequence takes no FILE and no --docker');
    const components = sequence
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((c) => qualifiedName(parseEntityName(c, ctx.namespace)));
    if (components.length === 0) throw usageError('--sequence needs at least one action');
    return { kind: 'sequence', components };
  }
  const code = file ? await readCode(ctx.io.cwd, file) : undefined;
  if (docker !== undefined) {
    return { kind: 'blackbox', image: docker, ...(code ? { code: code.text } : {}), ...(main ? { main } : {}) };
  }
  if (!code) {
    if (creating) throw usageError('action create needs FILE, --docker IMAGE or --sequence ACTIONS');
    if (kindFlag || main) throw usageError('--kind and --main need FILE');
    return undefined;
  }
  const kind = kindFlag ?? KIND_BY_EXTENSION[code.ext];
  if (!kind) throw usageError(`cannot tell the kind of '${file}' from its extension: give --kind`);
  return { kind, code: code.text, ...(main ? { main } : {}) };
}

async function readCode(cwd: string, file: string): Promise<{ text: string; ext: string }> {
  const ext = extname(file).toLowerCase();
  try {
    const bytes = await readFile(resolve(cwd, file));
    // Archives travel base64-encoded; the API infers `binary` from the code.
    return { text: BINARY_EXTENSIONS.has(ext) ? bytes.toString('base64') : bytes.toString('utf8'), ext };
  } catch (err) {
    throw usageError(`cannot read action file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export function buildLimits(ctx: CommandContext): Record<string, number> | undefined {
  const limits: Record<string, number> = {};
  const pairs: Array<[string, string]> = [
    ['timeout', 'timeout'],
    ['memory', 'memory'],
    ['logsize', 'logs'],
    ['concurrency', 'concurrency'],
  ];
  for (const [flag, key] of pairs) {
    const v = flagNumber(ctx, flag);
    if (v !== undefined) limits[key] = v;
  }
  return Object.keys(limits).length ? limits : undefined;
}

/** `-a`/`-A` plus the annotations `--web` and `--web-secure` stand for. */
export async function buildAnnotations(ctx: CommandContext): Promise<Record<string, unknown> | undefined> {
  const given = await collectObject(ctx.io.cwd, flagPairs(ctx, 'annotation'), flagString(ctx, 'annotation-file'), 'annotation');
  const web = flagString(ctx, 'web');
  const secure = flagString(ctx, 'web-secure');
  if (given === undefined && web === undefined && secure === undefined) return undefined;
  const out = { ...given };
  if (web !== undefined) {
    const on = web !== 'false' && web !== 'no';
    out['web-export'] = on;
    out['raw-http'] = web === 'raw';
    out.final = on;
  }
  if (secure !== undefined) {
    out['require-whisk-auth'] = secure === 'true' ? randomInt(1, 2 ** 47) : secure === 'false' ? false : secure;
  }
  return out;
}

/** The PUT body; `existing` (on update) supplies the stored limits and annotations to merge over. */
export async function buildActionBody(
  ctx: CommandContext,
  file: string | undefined,
  existing: Record<string, unknown> | undefined,
): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  const exec = await buildExec(ctx, file, existing === undefined);
  if (exec) body.exec = exec;
  const params = await collectObject(ctx.io.cwd, flagPairs(ctx, 'param'), flagString(ctx, 'param-file'), 'parameter');
  if (params) body.parameters = toKeyValues(params);
  const limits = buildLimits(ctx);
  if (limits) body.limits = { ...(existing?.limits as object | undefined), ...limits };
  const annotations = await buildAnnotations(ctx);
  if (annotations) body.annotations = toKeyValues({ ...fromKeyValues(existing?.annotations), ...annotations });
  const del = ctx.flags['del-annotation'];
  if (Array.isArray(del)) body.delAnnotations = del;
  return body;
}
