import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildActionBody } from '../action-body.js';
import type { FlagSpec } from '../args.js';
import { usageError } from '../cli-error.js';
import { flagBool, flagString, type CommandContext, type CommandSpec, type GroupSpec } from '../command.js';
import { ANNOTATION_FLAGS, LIST_FLAGS, PARAM_FLAGS } from '../common-flags.js';
import { entityUrl, parseEntityName } from '../entity-path.js';
import { annotation, fullName, listEntities, visibility } from '../entity-list.js';
import { invokeEntity, INVOKE_FLAGS } from '../invoke.js';
import { apiBaseUrl } from '../props.js';

const ACTION_FLAGS: readonly FlagSpec[] = [
  { name: 'kind', type: 'string', placeholder: 'KIND', description: 'runtime kind (default: from the file extension)' },
  { name: 'main', type: 'string', placeholder: 'NAME', description: 'name of the entry function' },
  { name: 'docker', type: 'string', placeholder: 'IMAGE', description: 'blackbox action running IMAGE' },
  { name: 'sequence', type: 'string', placeholder: 'A,B,…', description: 'a sequence of these actions' },
  { name: 'timeout', short: 't', type: 'number', placeholder: 'MS', description: 'time limit in milliseconds' },
  { name: 'memory', short: 'm', type: 'number', placeholder: 'MB', description: 'memory limit in megabytes' },
  { name: 'logsize', short: 'l', type: 'number', placeholder: 'MB', description: 'log size limit in megabytes' },
  { name: 'concurrency', short: 'c', type: 'number', placeholder: 'N', description: 'activations one container may run at once' },
  { name: 'web', type: 'string', choices: ['true', 'false', 'raw', 'yes', 'no'], description: 'make it a web action' },
  { name: 'web-secure', type: 'string', placeholder: 'SECRET', description: "require X-Require-Whisk-Auth (true = random)" },
  ...PARAM_FLAGS,
  ...ANNOTATION_FLAGS,
];

async function put(ctx: CommandContext, update: boolean): Promise<void> {
  const [name, file] = ctx.args as [string, string | undefined];
  const path = parseEntityName(name, ctx.namespace);
  const api = ctx.api();
  const existing = update ? (await api.get(entityUrl('actions', path), { query: { code: false } })).body : undefined;
  const body = await buildActionBody(ctx, file, existing as Record<string, unknown> | undefined);
  const res = await api.put(entityUrl('actions', path), body, { query: { overwrite: update } });
  ctx.out.ok(`${update ? 'updated' : 'created'} action ${name}`);
  if (ctx.out.json) ctx.out.value(res.body);
}

const create: CommandSpec = {
  name: 'create',
  summary: 'create an action from FILE, --docker IMAGE or --sequence A,B',
  args: [{ name: 'NAME' }, { name: 'FILE', optional: true, complete: 'file' }],
  flags: ACTION_FLAGS,
  run: (ctx) => put(ctx, false),
};

const update: CommandSpec = {
  name: 'update',
  summary: 'update an action (only what the flags name changes)',
  args: [{ name: 'NAME', complete: 'actions' }, { name: 'FILE', optional: true, complete: 'file' }],
  flags: [...ACTION_FLAGS, { name: 'del-annotation', type: 'list', placeholder: 'KEY', description: 'remove an annotation' }],
  run: (ctx) => put(ctx, true),
};

const invoke: CommandSpec = {
  name: 'invoke',
  summary: 'invoke an action (non-blocking unless -b or -r)',
  args: [{ name: 'NAME', complete: 'actions' }],
  flags: INVOKE_FLAGS,
  run: (ctx) => invokeEntity(ctx, 'actions', 'action', ctx.args[0]!),
};

const get: CommandSpec = {
  name: 'get',
  summary: 'show an action, one FIELD of it, its --url, or --save its code',
  args: [{ name: 'NAME', complete: 'actions' }, { name: 'FIELD', optional: true }],
  flags: [
    { name: 'summary', type: 'boolean', description: 'only name, kind and parameters' },
    { name: 'url', type: 'boolean', description: 'print the URL of the action' },
    { name: 'save', type: 'boolean', description: 'write the code to NAME.<ext> in the working directory' },
    { name: 'save-as', type: 'string', placeholder: 'FILE', file: true, description: 'write the code to FILE' },
  ],
  run: async (ctx) => {
    const [name, field] = ctx.args as [string, string | undefined];
    const path = parseEntityName(name, ctx.namespace);
    const res = await ctx.api().get(entityUrl('actions', path), { query: { code: true } });
    const action = res.body as Record<string, unknown>;
    if (flagBool(ctx, 'url')) {
      const base = `${apiBaseUrl(ctx.props.APIHOST!.value)}/api/v1`;
      const web = annotation(action, 'web-export') === true;
      const url = web
        ? `${base}/web/${String(action.namespace)}/${path.pkg ?? 'default'}/${path.name}`
        : `${base}/${entityUrl('actions', { ...path, namespace: String(action.namespace) })}`;
      return ctx.out.json ? ctx.out.value({ url }) : ctx.out.raw(url);
    }
    const saveAs = flagString(ctx, 'save-as') ?? (flagBool(ctx, 'save') ? `${path.name}${extensionFor(action)}` : undefined);
    if (saveAs) {
      const exec = (action.exec ?? {}) as Record<string, unknown>;
      if (typeof exec.code !== 'string') throw usageError(`action ${name} has no code to save`);
      await writeFile(resolve(ctx.io.cwd, saveAs), exec.binary === true ? Buffer.from(exec.code, 'base64') : exec.code);
      ctx.out.ok(`saved action code to ${saveAs}`);
      return ctx.out.json ? ctx.out.value({ file: saveAs }) : undefined;
    }
    if (flagBool(ctx, 'summary')) return printSummary(ctx, action);
    if (field !== undefined) {
      if (!(field in action)) throw usageError(`action has no field '${field}'`);
      ctx.out.ok(`got action ${name}, displaying field ${field}`);
      return ctx.out.value(action[field]);
    }
    ctx.out.ok(`got action ${name}`);
    ctx.out.value(action);
  },
};

function extensionFor(action: Record<string, unknown>): string {
  const exec = (action.exec ?? {}) as Record<string, unknown>;
  if (exec.binary === true) return '.zip';
  const family = String(exec.kind ?? '').split(':')[0];
  const map: Record<string, string> = { nodejs: '.js', python: '.py', swift: '.swift', php: '.php', ruby: '.rb', go: '.go', rust: '.rs' };
  return map[family ?? ''] ?? '.txt';
}

function printSummary(ctx: CommandContext, action: Record<string, unknown>): void {
  if (ctx.out.json) return ctx.out.value(action);
  const exec = (action.exec ?? {}) as Record<string, unknown>;
  const params = Array.isArray(action.parameters) ? (action.parameters as Array<{ key: string }>).map((p) => p.key) : [];
  ctx.out.line(`action ${fullName(action)}: ${String(annotation(action, 'description') ?? '')}`.trimEnd());
  ctx.out.line(`   (kind: ${String(exec.kind)}) (parameters: ${params.length ? params.join(', ') : 'none defined'})`);
}

const del: CommandSpec = {
  name: 'delete',
  summary: 'delete an action',
  args: [{ name: 'NAME', complete: 'actions' }],
  run: async (ctx) => {
    const path = parseEntityName(ctx.args[0]!, ctx.namespace);
    const res = await ctx.api().delete(entityUrl('actions', path));
    ctx.out.ok(`deleted action ${ctx.args[0]}`);
    if (ctx.out.json) ctx.out.value(res.body);
  },
};

const list: CommandSpec = {
  name: 'list',
  summary: 'list actions (of a namespace /NS or a package PKG)',
  args: [{ name: 'NS|PKG', optional: true, complete: 'packages' }],
  flags: LIST_FLAGS,
  run: async (ctx) => {
    const scope = ctx.args[0];
    let namespace = ctx.namespace;
    let sub = '';
    if (scope?.startsWith('/')) {
      const [ns, pkg] = scope.slice(1).split('/');
      namespace = ns || namespace;
      if (pkg) sub = `/${encodeURIComponent(pkg)}/`;
    } else if (scope) {
      sub = `/${encodeURIComponent(scope)}/`;
    }
    await listEntities(
      ctx,
      'actions',
      namespace,
      (a) => ({ name: fullName(a), detail: [visibility(a), String(annotation(a, 'exec') ?? (a.exec as { kind?: string } | undefined)?.kind ?? '')] }),
      sub,
    );
  },
};

export const actionGroup: GroupSpec = {
  name: 'action',
  summary: 'work with actions',
  commands: [create, update, invoke, get, del, list],
};

