import { CliError, ExitCode } from '../cli-error.js';
import { flagPairs, flagString, type CommandContext, type CommandSpec, type GroupSpec } from '../command.js';
import { ANNOTATION_FLAGS, PARAM_FLAGS } from '../common-flags.js';
import { entityUrl, parseEntityName, qualifiedName, type EntityPath } from '../entity-path.js';
import { annotation } from '../entity-list.js';
import { deleteCommand, entityPath, getCommand, listCommand, paramsAndAnnotations, type EntityKind } from '../entity-commands.js';
import { collectObject, fromKeyValues, toKeyValues } from '../key-values.js';

/**
 * `wsk trigger …`. Feeds follow OpenWhisk's client-side protocol: after the trigger is stored, the CLI invokes the
 * feed action (blocking) with `lifecycleEvent: CREATE`, `triggerName: /ns/name`, `authKey` and the parameters; if
 * that fails the trigger is deleted again. `delete` sends `lifecycleEvent: DELETE` to the feed first.
 */
const TRIGGERS: EntityKind = { collection: 'triggers', noun: 'trigger' };

async function callFeed(ctx: CommandContext, feed: string, event: string, trigger: string, params: Record<string, unknown>): Promise<void> {
  const feedPath = parseEntityName(feed, ctx.namespace);
  const spinner = ctx.spinner(`feed ${qualifiedName(feedPath)}: ${event}`);
  const res = await ctx.api()
    .post(
      entityUrl('actions', feedPath),
      { ...params, lifecycleEvent: event, triggerName: trigger, authKey: ctx.props.AUTH?.value },
      { query: { blocking: true, result: true }, accept: [500, 502] },
    )
    .finally(() => spinner.stop());
  if (res.status !== 200) {
    throw new CliError(`feed ${qualifiedName(feedPath)} refused ${event}: ${JSON.stringify(res.body)}`, ExitCode.FAILED);
  }
}

const create: CommandSpec = {
  name: 'create',
  summary: 'create a trigger (with --feed, also register it with the feed action)',
  args: [{ name: 'NAME' }],
  flags: [...PARAM_FLAGS, ...ANNOTATION_FLAGS, { name: 'feed', short: 'f', type: 'string', placeholder: 'ACTION', description: 'feed action' }],
  run: (ctx) => putTrigger(ctx, false),
};

const update: CommandSpec = {
  name: 'update',
  summary: 'update a trigger',
  args: [{ name: 'NAME', complete: 'triggers' }],
  flags: [...PARAM_FLAGS, ...ANNOTATION_FLAGS],
  run: (ctx) => putTrigger(ctx, true),
};

async function putTrigger(ctx: CommandContext, overwrite: boolean): Promise<void> {
  const name = ctx.args[0]!;
  const path = entityPath(ctx, TRIGGERS, name);
  const body = await paramsAndAnnotations(ctx);
  const feed = flagString(ctx, 'feed');
  if (feed) {
    const annotations = { ...fromKeyValues(body.annotations), feed: qualifiedName(parseEntityName(feed, ctx.namespace)) };
    body.annotations = toKeyValues(annotations);
    // Feed parameters go to the feed action, not onto the trigger (as wsk).
    delete body.parameters;
  }
  const res = await ctx.api().put(entityUrl('triggers', path), body, { query: { overwrite } });
  if (feed) {
    const stored = res.body as Record<string, unknown>;
    const fq = qualifiedName({ namespace: String(stored.namespace ?? path.namespace), name: path.name });
    const params = (await collectObject(ctx.io.cwd, flagPairs(ctx, 'param'), flagString(ctx, 'param-file'), 'parameter')) ?? {};
    try {
      await callFeed(ctx, feed, 'CREATE', fq, params);
    } catch (err) {
      await ctx.api().delete(entityUrl('triggers', path)).catch(() => undefined);
      throw err;
    }
  }
  ctx.out.ok(`${overwrite ? 'updated' : 'created'} trigger ${name}`);
  if (ctx.out.json) ctx.out.value(res.body);
}

const fire: CommandSpec = {
  name: 'fire',
  summary: 'fire a trigger with parameters',
  args: [{ name: 'NAME', complete: 'triggers' }],
  flags: PARAM_FLAGS,
  run: async (ctx) => {
    const name = ctx.args[0]!;
    const path = entityPath(ctx, TRIGGERS, name);
    const params = (await collectObject(ctx.io.cwd, flagPairs(ctx, 'param'), flagString(ctx, 'param-file'), 'parameter')) ?? {};
    const res = await ctx.api().post(entityUrl('triggers', path), params);
    const id = (res.body as { activationId?: string } | undefined)?.activationId;
    if (res.status === 204 || !id) ctx.out.ok(`triggered ${qualifiedName(path)}, but no rule is active: nothing ran`);
    else ctx.out.ok(`triggered ${qualifiedName(path)} with id ${id}`);
    if (ctx.out.json) ctx.out.value(res.body ?? { activationId: null });
  },
};

async function unregisterFeed(ctx: CommandContext, path: EntityPath): Promise<void> {
  const res = await ctx.api().get(entityUrl('triggers', path));
  const trigger = res.body as Record<string, unknown>;
  const feed = annotation(trigger, 'feed');
  if (typeof feed === 'string') {
    await callFeed(ctx, feed, 'DELETE', qualifiedName({ namespace: String(trigger.namespace), name: path.name }), {});
  }
}

export const triggerGroup: GroupSpec = {
  name: 'trigger',
  summary: 'work with triggers',
  commands: [create, update, fire, getCommand(TRIGGERS), deleteCommand(TRIGGERS, unregisterFeed), listCommand(TRIGGERS)],
};
