import type { Trigger } from '../../domain/trigger.js';
import { isWhirlError } from '../../errors/whirl-error.js';
import type { EntityStore, Stored } from '../../ports/entity-store.js';

/** Attempts at a read-modify-write of a trigger before a concurrent writer's 409 is reported. */
const ATTEMPTS = 5;

/**
 * Read-modify-write of a trigger document (its `rules` map holds rule state, as in OpenWhisk). Retries when another
 * writer (a rule on the same trigger, a trigger update) changed it in between. `change` returning undefined means
 * "nothing to write". Resolves undefined when the trigger does not exist.
 */
export async function updateTrigger(
  entities: EntityStore,
  namespace: string,
  name: string,
  change: (t: Trigger) => Trigger | undefined,
): Promise<Stored<Trigger> | undefined> {
  for (let attempt = 1; ; attempt++) {
    const found = await entities.get<Trigger>('triggers', namespace, name);
    if (!found) return undefined;
    const next = change(found.doc);
    if (!next) return found;
    try {
      return await entities.put('triggers', next, found.rev);
    } catch (err) {
      const retry = isWhirlError(err, 'WHIRL_CONCURRENT_MODIFICATION') || isWhirlError(err, 'WHIRL_NOT_FOUND');
      if (!retry || attempt >= ATTEMPTS) throw err;
    }
  }
}
