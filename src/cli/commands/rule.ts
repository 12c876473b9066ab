import { flagBool, type ArgSpec, type CommandContext, type CommandSpec, type GroupSpec } from '../command.js';
import { entityUrl, parseEntityName, qualifiedName } from '../entity-path.js';
import { deleteCommand, entityPath, getCommand, listCommand, type EntityKind } from '../entity-commands.js';

/** `wsk rule …`: a rule links one trigger to one action; it is active when created. */
const RULES: EntityKind = {
  collection: 'rules',
  noun: 'rule',
  columns: (r) => [typeof r.status === 'string' ? r.status : ''],
};

async function putRule(ctx: CommandContext, overwrite: boolean): Promise<void> {
  const [name, trigger, action] = ctx.args as [string, string, string];
  const body = {
    trigger: qualifiedName(parseEntityName(trigger, ctx.namespace, false)),
    action: qualifiedName(parseEntityName(action, ctx.namespace)),
  };
  const res = await ctx.api().put(entityUrl('rules', entityPath(ctx, RULES, name)), body, { query: { overwrite } });
  ctx.out.ok(`${overwrite ? 'updated' : 'created'} rule ${name}`);
  if (ctx.out.json) ctx.out.value(res.body);
}

function setStatus(status: 'active' | 'inactive'): CommandSpec {
  const verb = status === 'active' ? 'enable' : 'disable';
  return {
    name: verb,
    summary: `${verb} a rule`,
    args: [{ name: 'NAME', complete: 'rules' }],
    run: async (ctx) => {
      const name = ctx.args[0]!;
      const res = await ctx.api().post(entityUrl('rules', entityPath(ctx, RULES, name)), { status });
      ctx.out.ok(`${verb}d rule ${name}`);
      if (ctx.out.json) ctx.out.value(res.body ?? { status });
    },
  };
}

const ARGS: ArgSpec[] = [{ name: 'NAME' }, { name: 'TRIGGER', complete: 'triggers' }, { name: 'ACTION', complete: 'actions' }];

export const ruleGroup: GroupSpec = {
  name: 'rule',
  summary: 'work with rules',
  commands: [
    { name: 'create', summary: 'create a rule: when TRIGGER fires, run ACTION', args: ARGS, run: (ctx) => putRule(ctx, false) },
    { name: 'update', summary: 'point a rule at another trigger or action', args: ARGS, run: (ctx) => putRule(ctx, true) },
    setStatus('active'),
    setStatus('inactive'),
    {
      name: 'status',
      summary: 'print whether a rule is active',
      args: [{ name: 'NAME', complete: 'rules' }],
      run: async (ctx) => {
        const name = ctx.args[0]!;
        const res = await ctx.api().get(entityUrl('rules', entityPath(ctx, RULES, name)));
        const status = (res.body as { status?: string }).status ?? 'unknown';
        ctx.out.ok(`rule ${name} is ${status}`);
        if (ctx.out.json) ctx.out.value({ status });
      },
    },
    getCommand(RULES),
    {
      ...deleteCommand(RULES, async (ctx, path) => {
        if (flagBool(ctx, 'disable')) await ctx.api().post(entityUrl('rules', path), { status: 'inactive' });
      }),
      flags: [{ name: 'disable', type: 'boolean', description: 'disable the rule before deleting it' }],
    },
    listCommand(RULES),
  ],
};
