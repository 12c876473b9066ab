import { usageError } from '../cli-error.js';
import { flagBool, flagNumber, type CommandContext, type CommandSpec, type GroupSpec } from '../command.js';
import { collectionUrl } from '../entity-path.js';
import { annotation } from '../entity-list.js';
import { pollActivations } from '../activation-poll.js';

/** `wsk activation …`: list, get, logs, result (each by ID or `--last`), poll. */
const STATUS = ['success', 'application error', 'developer error', 'internal error'];

const LAST = { name: 'last', short: 'l', type: 'boolean', description: 'the most recent activation' } as const;

function activationsUrl(ctx: CommandContext, suffix = ''): string {
  return `${collectionUrl('activations', ctx.namespace)}${suffix}`;
}

/** The ID argument, or with `--last` the newest activation's id. */
async function activationId(ctx: CommandContext): Promise<{ id: string; rest: string[] }> {
  if (flagBool(ctx, 'last')) {
    const res = await ctx.api().get(activationsUrl(ctx), { query: { limit: 1 } });
    const first = Array.isArray(res.body) ? (res.body[0] as { activationId?: string } | undefined) : undefined;
    if (!first?.activationId) throw usageError('there are no activations yet');
    return { id: first.activationId, rest: ctx.args };
  }
  const [id, ...rest] = ctx.args;
  if (!id) throw usageError('give an activation ID or --last');
  return { id, rest };
}

export function activationRow(a: Record<string, unknown>): string[] {
  const start = typeof a.start === 'number' ? new Date(a.start) : undefined;
  const when = start ? start.toISOString().replace('T', ' ').slice(0, 19) : '';
  const kind = String(annotation(a, 'kind') ?? '');
  const cold = annotation(a, 'initTime') !== undefined ? 'cold' : 'warm';
  const code = typeof a.statusCode === 'number' ? a.statusCode : (a.response as { statusCode?: number } | undefined)?.statusCode;
  const status = code === undefined ? '' : (STATUS[code] ?? String(code));
  const duration = typeof a.duration === 'number' ? `${a.duration}ms` : '';
  const path = annotation(a, 'path') ?? `${String(a.namespace)}/${String(a.name)}`;
  const entity = `${String(path)}:${String(a.version ?? '')}`;
  return [when, String(a.activationId), kind, kind === 'sequence' || kind === '' ? '' : cold, duration, status, entity];
}

const list: CommandSpec = {
  name: 'list',
  summary: 'list activations, newest first (of one action NAME)',
  args: [{ name: 'NAME', optional: true, complete: 'actions' }],
  flags: [
    { name: 'limit', short: 'l', type: 'number', placeholder: 'N', description: 'at most N activations (default 30, max 200)' },
    { name: 'skip', short: 's', type: 'number', placeholder: 'N', description: 'skip the first N activations' },
    { name: 'since', type: 'number', placeholder: 'EPOCH_MS', description: 'started at or after this time' },
    { name: 'upto', type: 'number', placeholder: 'EPOCH_MS', description: 'started at or before this time' },
    { name: 'full', short: 'f', type: 'boolean', description: 'full records (with results and logs)' },
  ],
  run: async (ctx) => {
    const full = flagBool(ctx, 'full');
    const res = await ctx.api().get(activationsUrl(ctx), {
      query: {
        name: ctx.args[0],
        limit: flagNumber(ctx, 'limit'),
        skip: flagNumber(ctx, 'skip'),
        since: flagNumber(ctx, 'since'),
        upto: flagNumber(ctx, 'upto'),
        docs: full || undefined,
      },
    });
    if (ctx.out.json || full) return ctx.out.value(res.body);
    const rows = (Array.isArray(res.body) ? res.body : []) as Array<Record<string, unknown>>;
    ctx.out.table(['Datetime', 'Activation ID', 'Kind', 'Start', 'Duration', 'Status', 'Entity'], rows.map(activationRow));
  },
};

const get: CommandSpec = {
  name: 'get',
  summary: 'show an activation record (or one FIELD of it)',
  args: [{ name: 'ID', optional: true }, { name: 'FIELD', optional: true }],
  flags: [LAST, { name: 'summary', short: 's', type: 'boolean', description: 'one line: name, status, duration' }],
  run: async (ctx) => {
    const { id, rest } = await activationId(ctx);
    const res = await ctx.api().get(activationsUrl(ctx, `/${encodeURIComponent(id)}`));
    const record = res.body as Record<string, unknown>;
    const field = rest[0];
    if (flagBool(ctx, 'summary') && !ctx.out.json) {
      const r = activationRow({ ...record, statusCode: STATUS.indexOf(String((record.response as { status?: string })?.status)) });
      return ctx.out.line(`activation ${id}: ${r[6]} ${r[5]} ${r[4]}`);
    }
    if (field !== undefined) {
      if (!(field in record)) throw usageError(`activation has no field '${field}'`);
      ctx.out.ok(`got activation ${id}, displaying field ${field}`);
      return ctx.out.value(record[field]);
    }
    ctx.out.ok(`got activation ${id}`);
    ctx.out.value(record);
  },
};

const logs: CommandSpec = {
  name: 'logs',
  summary: "print an activation's log lines",
  args: [{ name: 'ID', optional: true }],
  flags: [LAST, { name: 'strip', short: 'r', type: 'boolean', description: 'strip the timestamp and stream prefix' }],
  run: async (ctx) => {
    const { id } = await activationId(ctx);
    const res = await ctx.api().get(activationsUrl(ctx, `/${encodeURIComponent(id)}/logs`));
    if (ctx.out.json) return ctx.out.value(res.body);
    const lines = ((res.body as { logs?: unknown[] }).logs ?? []).map(String);
    for (const line of lines) ctx.out.line(flagBool(ctx, 'strip') ? stripLogLine(line) : line);
  },
};

/** `2024-01-01T00:00:00.000Z stdout: text` → `text`. */
export function stripLogLine(line: string): string {
  const m = /^\S+\s+(?:stdout|stderr): ?(.*)$/s.exec(line);
  return m ? m[1]! : line;
}

const result: CommandSpec = {
  name: 'result',
  summary: "print an activation's result",
  args: [{ name: 'ID', optional: true }],
  flags: [LAST],
  run: async (ctx) => {
    const { id } = await activationId(ctx);
    const res = await ctx.api().get(activationsUrl(ctx, `/${encodeURIComponent(id)}/result`));
    ctx.out.value(ctx.out.json ? res.body : (res.body as { result?: unknown }).result);
  },
};

const poll: CommandSpec = {
  name: 'poll',
  summary: 'print activations and their logs as they arrive (Ctrl-C stops)',
  args: [{ name: 'NAME', optional: true }],
  flags: [
    { name: 'exit', short: 'e', type: 'number', placeholder: 'SECONDS', description: 'stop after SECONDS' },
    { name: 'since-seconds', type: 'number', placeholder: 'N', description: 'start N seconds ago (default: now)' },
    { name: 'since-minutes', type: 'number', placeholder: 'N', description: 'start N minutes ago' },
    { name: 'interval', type: 'number', placeholder: 'MS', description: 'poll every MS milliseconds (default 2000)' },
  ],
  run: (ctx) => pollActivations(ctx),
};

export const activationGroup: GroupSpec = {
  name: 'activation',
  summary: 'work with activations',
  commands: [list, get, logs, result, poll],
};
