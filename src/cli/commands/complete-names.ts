import type { EntityCollection, GroupSpec } from '../command.js';
import { collectionUrl } from '../entity-path.js';

/**
 * `whirl __complete names COLLECTION`: entity names one per line, for the shell completion script. Hidden from help;
 * prints nothing (exit 0) when there is no AUTH or the API cannot be reached, so a TAB never shows an error.
 */
const COLLECTIONS: readonly EntityCollection[] = ['actions', 'triggers', 'rules', 'packages', 'compositions'];

export const completeGroup: GroupSpec = {
  name: '__complete',
  hidden: true,
  summary: 'names for shell completion',
  commands: [
    {
      name: 'names',
      summary: 'entity names of COLLECTION, one per line',
      args: [{ name: 'COLLECTION' }],
      run: async (ctx) => {
        const collection = ctx.args[0] as EntityCollection;
        if (!COLLECTIONS.includes(collection) || !ctx.props.AUTH) return;
        try {
          const res = await ctx.api().get(collectionUrl(collection, ctx.namespace), { query: { limit: 200 }, timeoutMs: 3000 });
          for (const e of (Array.isArray(res.body) ? res.body : []) as Array<{ name?: unknown }>) {
            if (typeof e.name === 'string') ctx.out.raw(e.name);
          }
        } catch {
          // completion is best effort
        }
      },
    },
  ],
};
