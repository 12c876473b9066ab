import { readdir } from 'node:fs/promises';
import { join, parse as parsePath, resolve } from 'node:path';
import { AslRefusal, importAsl, looksLikeAsl } from '../../dsl/asl/index.js';
import { execFromFile } from '../action-body.js';
import { ExitCode, usageError } from '../cli-error.js';
import { flagBool, flagNumber, flagString, type ArgSpec, type CommandContext, type CommandSpec, type GroupSpec } from '../command.js';
import { loadCompositionFile } from '../composition-file.js';
import { compositionRoutes } from '../composition-routes.js';
import { entityUrl } from '../entity-path.js';
import { deleteCommand, entityPath, getCommand, listCommand, type EntityKind } from '../entity-commands.js';
import { invokeEntity, INVOKE_FLAGS } from '../invoke.js';

/**
 * Whirl's composition commands (the `/compositions` extension of the API): deploy from YAML, JSON or TypeScript,
 * run like an action, and follow an execution by its activation id: status (optionally `--wait` until it ends),
 * history, cancel.
 */
const COMPOSITIONS: EntityKind = { collection: 'compositions', noun: 'composition', packaged: false };
const ACTIONS: EntityKind = { collection: 'actions', noun: 'action', packaged: true };

const deploy: CommandSpec = {
  name: 'deploy',
  summary: 'create or replace a composition from a YAML, JSON or TypeScript FILE (an ASL state machine too)',
  args: [{ name: 'NAME' }, { name: 'FILE', complete: 'file' }],
  flags: [
    { name: 'no-overwrite', type: 'boolean', description: 'fail if the composition exists' },
    {
      name: 'actions',
      type: 'string',
      placeholder: 'DIR',
      description: 'first create or update one action per file in DIR, named after the file (hello.js: hello)',
    },
  ],
  run: async (ctx) => {
    const [name, file] = ctx.args as [string, string];
    const doc = await loadCompositionFile(ctx.io.cwd, file, (line) => ctx.out.note(line));
    const actionsDir = flagString(ctx, 'actions');
    if (actionsDir !== undefined) await deployActions(ctx, actionsDir);
    // A file holds the IR document itself, a whole PUT body (`{definition, annotations}`), or an ASL state machine.
    const body = 'definition' in doc || 'asl' in doc ? doc : looksLikeAsl(doc) ? { asl: doc } : { definition: doc };
    const res = await ctx.api().put(entityUrl('compositions', entityPath(ctx, COMPOSITIONS, name)), body, {
      query: { overwrite: !flagBool(ctx, 'no-overwrite') },
    });
    ctx.out.ok(`deployed composition ${name}`);
    if (ctx.out.json) ctx.out.value(res.body);
  },
};

/** `import asl NAME FILE`: an Amazon States Language state machine (JSON or YAML), converted by the API (docs/asl.md). */
const importCmd: CommandSpec = {
  name: 'import',
  summary: 'create or replace a composition from another format: `import asl NAME FILE` (Amazon States Language, JSON or YAML)',
  args: [{ name: 'FORMAT' }, { name: 'NAME' }, { name: 'FILE', complete: 'file' }],
  flags: [
    { name: 'no-overwrite', type: 'boolean', description: 'fail if the composition exists' },
    { name: 'dry-run', type: 'boolean', description: 'print the converted composition instead of deploying it' },
  ],
  run: async (ctx) => {
    const [format, name, file] = ctx.args as [string, string, string];
    if (format !== 'asl') throw usageError(`unknown import format ${format}: the format is asl (Amazon States Language)`);
    const asl = await loadCompositionFile(ctx.io.cwd, file);
    if (flagBool(ctx, 'dry-run')) {
      try {
        return ctx.out.value(importAsl(asl, { name }));
      } catch (err) {
        if (err instanceof AslRefusal) throw usageError(err.message);
        throw err;
      }
    }
    const res = await ctx.api().put(entityUrl('compositions', entityPath(ctx, COMPOSITIONS, name)), { asl }, {
      query: { overwrite: !flagBool(ctx, 'no-overwrite') },
    });
    ctx.out.ok(`imported state machine ${file} as composition ${name}`);
    if (ctx.out.json) ctx.out.value(res.body);
  },
};

/** `--actions DIR`: every file of DIR with a known kind (by extension) becomes the action named after it. */
async function deployActions(ctx: CommandContext, dir: string): Promise<void> {
  let files: string[];
  try {
    files = (await readdir(resolve(ctx.io.cwd, dir))).sort();
  } catch (err) {
    throw usageError(`cannot read actions directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let deployed = 0;
  for (const f of files) {
    const exec = await execFromFile(ctx.io.cwd, join(dir, f));
    if (!exec) continue;
    const action = parsePath(f).name;
    await ctx.api().put(entityUrl('actions', entityPath(ctx, ACTIONS, action)), { exec }, { query: { overwrite: true } });
    ctx.out.ok(`deployed action ${action}`);
    deployed++;
  }
  if (deployed === 0) throw usageError(`no action files (.js, .py, …) in ${dir}`);
}

const run: CommandSpec = {
  name: 'run',
  summary: 'start an execution (non-blocking unless -b or -r)',
  args: [{ name: 'NAME', complete: 'compositions' }],
  flags: INVOKE_FLAGS,
  run: (ctx) => invokeEntity(ctx, 'compositions', 'composition', ctx.args[0]!),
};

const EXEC_ARGS: ArgSpec[] = [{ name: 'NAME', complete: 'compositions' }, { name: 'EXECUTION_ID' }];

async function fetchExecution(ctx: CommandContext, name: string, id: string): Promise<Record<string, unknown>> {
  return (await ctx.api().get(compositionRoutes.execution(ctx.namespace, name, id))).body as Record<string, unknown>;
}

const status: CommandSpec = {
  name: 'status',
  summary: "print an execution's status (--wait: until it ends)",
  args: EXEC_ARGS,
  flags: [
    { name: 'wait', short: 'w', type: 'boolean', description: 'wait until the execution has ended' },
    { name: 'interval', type: 'number', placeholder: 'MS', description: 'with --wait, check every MS (default 500)' },
  ],
  run: async (ctx) => {
    const [name, id] = ctx.args as [string, string];
    let exec = await fetchExecution(ctx, name, id);
    if (flagBool(ctx, 'wait') && exec.status === 'running') {
      const spinner = ctx.spinner(`waiting for execution ${id}`);
      try {
        while (exec.status === 'running') {
          await new Promise((r) => setTimeout(r, flagNumber(ctx, 'interval') ?? 500));
          exec = await fetchExecution(ctx, name, id);
        }
      } finally {
        spinner.stop();
      }
    }
    if (ctx.out.json) ctx.out.value(exec);
    else {
      ctx.out.ok(`execution ${id} of ${name}: ${String(exec.status)}`);
      if (exec.result !== undefined) ctx.out.value(exec.result);
      if (exec.error !== undefined) ctx.out.value({ error: exec.error });
    }
    return exec.status === 'failed' || exec.status === 'cancelled' ? ExitCode.FAILED : undefined;
  },
};

const history: CommandSpec = {
  name: 'history',
  summary: "print an execution's history: steps, activations, retries, errors",
  args: EXEC_ARGS,
  flags: [
    { name: 'after', type: 'number', placeholder: 'SEQ', description: 'only entries after this sequence number' },
    { name: 'limit', type: 'number', placeholder: 'N', description: 'at most N entries (default 1000)' },
  ],
  run: async (ctx) => {
    const [name, id] = ctx.args as [string, string];
    const res = await ctx.api().get(compositionRoutes.history(ctx.namespace, name, id), {
      query: { after: flagNumber(ctx, 'after'), limit: flagNumber(ctx, 'limit') },
    });
    if (ctx.out.json) return ctx.out.value(res.body);
    const body = res.body as { history?: unknown } | unknown[];
    const entries = (Array.isArray(body) ? body : Array.isArray(body.history) ? body.history : []) as Array<Record<string, unknown>>;
    const t0 = typeof entries[0]?.at === 'number' ? entries[0].at : 0;
    ctx.out.table(
      ['Seq', '+ms', 'Event', 'Step', 'Attempt', 'Activation', 'Detail'],
      entries.map((e) => [
        String(e.seq ?? ''),
        typeof e.at === 'number' ? String(e.at - t0) : '',
        String(e.type ?? ''),
        String(e.path ?? ''),
        e.attempt === undefined ? '' : String(e.attempt),
        String(e.activationId ?? ''),
        e.error !== undefined ? JSON.stringify(e.error) : e.result !== undefined ? JSON.stringify(e.result) : '',
      ]),
    );
  },
};

const cancel: CommandSpec = {
  name: 'cancel',
  summary: 'cancel a running execution',
  args: EXEC_ARGS,
  run: async (ctx) => {
    const [name, id] = ctx.args as [string, string];
    const res = await ctx.api().post(compositionRoutes.cancel(ctx.namespace, name, id), {});
    ctx.out.ok(`cancelled execution ${id}`);
    if (ctx.out.json) ctx.out.value(res.body);
  },
};

export const compositionGroup: GroupSpec = {
  name: 'composition',
  summary: 'work with compositions and their executions',
  commands: [deploy, importCmd, run, status, history, cancel, getCommand(COMPOSITIONS), deleteCommand(COMPOSITIONS), listCommand(COMPOSITIONS)],
};
