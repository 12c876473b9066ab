import { flagString, type CommandContext, type CommandSpec, type GroupSpec } from '../command.js';
import { ANNOTATION_FLAGS, PARAM_FLAGS, SHARED_FLAG } from '../common-flags.js';
import { entityUrl, parseEntityName } from '../entity-path.js';
import { deleteCommand, entityPath, getCommand, listCommand, paramsAndAnnotations, type EntityKind } from '../entity-commands.js';

/** `wsk package …`: packages group actions and parameters; a binding is a package pointing at another one. */
const PACKAGES: EntityKind = {
  collection: 'packages',
  noun: 'package',
  columns: (p) => {
    const b = p.binding as { namespace?: string; name?: string } | undefined;
    return b?.name ? [`binding /${b.namespace}/${b.name}`] : [];
  },
};

const FLAGS = [...PARAM_FLAGS, ...ANNOTATION_FLAGS, SHARED_FLAG];

async function putPackage(ctx: CommandContext, overwrite: boolean): Promise<void> {
  const name = ctx.args[0]!;
  const body = await paramsAndAnnotations(ctx);
  const shared = flagString(ctx, 'shared');
  if (shared !== undefined) body.publish = shared === 'yes';
  const res = await ctx.api().put(entityUrl('packages', entityPath(ctx, PACKAGES, name)), body, { query: { overwrite } });
  ctx.out.ok(`${overwrite ? 'updated' : 'created'} package ${name}`);
  if (ctx.out.json) ctx.out.value(res.body);
}

const bind: CommandSpec = {
  name: 'bind',
  summary: 'create BOUND_NAME, a binding of package PKG with its own parameters',
  args: [{ name: 'PKG', complete: 'packages' }, { name: 'BOUND_NAME' }],
  flags: [...PARAM_FLAGS, ...ANNOTATION_FLAGS],
  run: async (ctx) => {
    const [pkg, bound] = ctx.args as [string, string];
    const target = parseEntityName(pkg, ctx.namespace, false);
    const body = { ...(await paramsAndAnnotations(ctx)), binding: { namespace: target.namespace, name: target.name } };
    const res = await ctx.api().put(entityUrl('packages', entityPath(ctx, PACKAGES, bound)), body);
    ctx.out.ok(`created binding ${bound}`);
    if (ctx.out.json) ctx.out.value(res.body);
  },
};

export const packageGroup: GroupSpec = {
  name: 'package',
  summary: 'work with packages',
  commands: [
    { name: 'create', summary: 'create a package', args: [{ name: 'NAME' }], flags: FLAGS, run: (ctx) => putPackage(ctx, false) },
    { name: 'update', summary: 'update a package', args: [{ name: 'NAME', complete: 'packages' }], flags: FLAGS, run: (ctx) => putPackage(ctx, true) },
    bind,
    getCommand(PACKAGES),
    deleteCommand(PACKAGES),
    listCommand(PACKAGES),
  ],
};

