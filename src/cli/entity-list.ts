import { flagBool, flagNumber, type CommandContext } from './command.js';
import { collectionUrl } from './entity-path.js';

/**
 * Shared `list` for actions, triggers, rules, packages and compositions: `--limit/--skip/--count/--name-sort`,
 * a header line with the collection name and one row per entity (`wsk`'s layout), or the API's array with `--json`.
 */
export interface ListRow {
  name: string;
  detail: string[];
}

export async function listEntities(
  ctx: CommandContext,
  collection: string,
  namespace: string,
  row: (entity: Record<string, unknown>) => ListRow,
  subPath = '',
): Promise<void> {
  const count = flagBool(ctx, 'count');
  const res = await ctx.api().get(`${collectionUrl(collection, namespace)}${subPath}`, {
    query: { limit: flagNumber(ctx, 'limit'), skip: flagNumber(ctx, 'skip'), count: count || undefined },
  });
  if (ctx.out.json) return ctx.out.value(res.body);
  if (count) return ctx.out.line(String((res.body as Record<string, unknown>)[collection] ?? 0));
  const entities = Array.isArray(res.body) ? (res.body as Array<Record<string, unknown>>) : [];
  const rows = entities.map(row);
  if (flagBool(ctx, 'name-sort')) rows.sort((a, b) => a.name.localeCompare(b.name));
  ctx.out.line(collection);
  ctx.out.table(undefined, rows.map((r) => [r.name, ...r.detail]));
}

export function annotation(entity: Record<string, unknown>, key: string): unknown {
  const list = entity.annotations;
  if (!Array.isArray(list)) return undefined;
  return (list as Array<{ key?: unknown; value?: unknown }>).find((a) => a?.key === key)?.value;
}

export function visibility(entity: Record<string, unknown>): string {
  return entity.publish === true ? 'shared' : 'private';
}

export function fullName(entity: Record<string, unknown>): string {
  return `/${String(entity.namespace ?? '_')}/${String(entity.name ?? '')}`;
}
