import { usageError } from './cli-error.js';
import { flagPairs, flagString, type CommandContext, type CommandSpec, type EntityCollection } from './command.js';
import { LIST_FLAGS } from './common-flags.js';
import { entityUrl, parseEntityName, type EntityPath } from './entity-path.js';
import { fullName, listEntities, visibility } from './entity-list.js';
import { collectObject, toKeyValues } from './key-values.js';

/**
 * The `get`, `delete` and `list` commands every entity group has, and the body pieces their `create`/`update`
 * share, parameterised by the REST collection (`triggers`, `rules`, `packages`, `compositions`).
 */
export interface EntityKind {
  /** REST collection name. */
  collection: EntityCollection;
  /** Singular noun for messages. */
  noun: string;
  /** Packages may not be in packages; triggers and rules neither. */
  packaged?: boolean;
  /** Extra columns for `list` after the name and visibility. */
  columns?: (entity: Record<string, unknown>) => string[];
}

export function entityPath(ctx: CommandContext, kind: EntityKind, name: string): EntityPath {
  return parseEntityName(name, ctx.namespace, kind.packaged ?? false);
}

export function getCommand(kind: EntityKind): CommandSpec {
  return {
    name: 'get',
    summary: `show a ${kind.noun} (or one FIELD of it)`,
    args: [{ name: 'NAME', complete: kind.collection }, { name: 'FIELD', optional: true }],
    run: async (ctx) => {
      const [name, field] = ctx.args as [string, string | undefined];
      const res = await ctx.api().get(entityUrl(kind.collection, entityPath(ctx, kind, name)));
      const entity = res.body as Record<string, unknown>;
      if (field !== undefined) {
        if (!(field in entity)) throw usageError(`${kind.noun} has no field '${field}'`);
        ctx.out.ok(`got ${kind.noun} ${name}, displaying field ${field}`);
        return ctx.out.value(entity[field]);
      }
      ctx.out.ok(`got ${kind.noun} ${name}`);
      ctx.out.value(entity);
    },
  };
}

export function deleteCommand(kind: EntityKind, before?: (ctx: CommandContext, path: EntityPath) => Promise<void>): CommandSpec {
  return {
    name: 'delete',
    summary: `delete a ${kind.noun}`,
    args: [{ name: 'NAME', complete: kind.collection }],
    run: async (ctx) => {
      const path = entityPath(ctx, kind, ctx.args[0]!);
      await before?.(ctx, path);
      const res = await ctx.api().delete(entityUrl(kind.collection, path));
      ctx.out.ok(`deleted ${kind.noun} ${ctx.args[0]}`);
      if (ctx.out.json) ctx.out.value(res.body);
    },
  };
}

export function listCommand(kind: EntityKind): CommandSpec {
  return {
    name: 'list',
    summary: `list ${kind.collection} (of namespace /NS)`,
    args: [{ name: '/NS', optional: true }],
    flags: LIST_FLAGS,
    run: (ctx) => {
      const scope = ctx.args[0];
      const namespace = scope ? scope.replace(/^\//, '').split('/')[0] || ctx.namespace : ctx.namespace;
      return listEntities(ctx, kind.collection, namespace, (e) => ({
        name: fullName(e),
        detail: [visibility(e), ...(kind.columns?.(e) ?? [])],
      }));
    },
  };
}

/** `parameters` and `annotations` from `-p/-P/-a/-A`, each only when given. */
export async function paramsAndAnnotations(ctx: CommandContext): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  const params = await collectObject(ctx.io.cwd, flagPairs(ctx, 'param'), flagString(ctx, 'param-file'), 'parameter');
  if (params) body.parameters = toKeyValues(params);
  const annotations = await collectObject(ctx.io.cwd, flagPairs(ctx, 'annotation'), flagString(ctx, 'annotation-file'), 'annotation');
  if (annotations) body.annotations = toKeyValues(annotations);
  return body;
}
