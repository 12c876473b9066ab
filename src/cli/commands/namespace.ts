import { CliError } from '../cli-error.js';
import type { CommandSpec, GroupSpec } from '../command.js';
import { collectionUrl } from '../entity-path.js';
import { fullName } from '../entity-list.js';

/**
 * `wsk namespace list|get`. `get` lists the namespace's entities collection by collection, as `wsk` (and the
 * openwhisk npm client's `namespaces.get`) do, plus Whirl's compositions; a collection this server does not serve yet (404 on the list route)
 * is shown as unavailable instead of failing the whole command.
 */
const COLLECTIONS = ['packages', 'actions', 'triggers', 'rules', 'compositions'] as const;

const list: CommandSpec = {
  name: 'list',
  summary: 'list the namespaces your key can use',
  run: async (ctx) => {
    const res = await ctx.api().get('namespaces');
    if (ctx.out.json) return ctx.out.value(res.body);
    ctx.out.line('namespaces');
    for (const ns of (res.body as string[]) ?? []) ctx.out.line(ns);
  },
};

const get: CommandSpec = {
  name: 'get',
  summary: "list a namespace's packages, actions, triggers, rules and compositions",
  args: [{ name: 'NS', optional: true }],
  run: async (ctx) => {
    const ns = ctx.args[0]?.replace(/^\//, '') || ctx.namespace;
    const found: Record<string, unknown[] | null> = {};
    for (const collection of COLLECTIONS) {
      try {
        const res = await ctx.api().get(collectionUrl(collection, ns), { query: { limit: 200 } });
        found[collection] = Array.isArray(res.body) ? res.body : [];
      } catch (err) {
        if (err instanceof CliError && err.api?.status === 404) found[collection] = null;
        else throw err;
      }
    }
    if (ctx.out.json) return ctx.out.value(found);
    ctx.out.line(`Entities in namespace: ${ns === '_' ? 'default' : ns}`);
    for (const collection of COLLECTIONS) {
      const items = found[collection];
      ctx.out.line(`${collection}${items === null ? ' (not available on this server)' : ''}`);
      for (const item of items ?? []) ctx.out.line(fullName(item as Record<string, unknown>));
    }
  },
};

export const namespaceGroup: GroupSpec = { name: 'namespace', summary: 'work with namespaces', commands: [list, get] };
