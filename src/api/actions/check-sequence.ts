import type { Action } from '../../domain/action.js';
import { type SequenceExec, isSequence } from '../../domain/exec.js';
import { entityPath, fullyQualified, parseQualifiedName } from '../../domain/names.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { EntityStore } from '../../ports/entity-store.js';

/**
 * Validates a sequence about to be stored as `/namespace/name`: every component exists, no component leads back to
 * the sequence itself (directly or through nested sequences), and the inlined number of atomic actions stays within
 * `maxLength` (`C/Actions.scala` checkSequenceActionLimits).
 *
 * Components outside the caller's namespace are reported missing: without packages or sharing, nothing outside it
 * is visible to the caller, and saying "forbidden" would reveal that it exists.
 */
export async function checkSequence(
  entities: EntityStore,
  self: { namespace: string; name: string },
  exec: SequenceExec,
  maxLength: number,
): Promise<void> {
  const selfPath = fullyQualified(self);
  let atomic = 0;

  const expand = async (components: readonly string[], stack: ReadonlySet<string>): Promise<void> => {
    for (const c of components) {
      if (c === selfPath || stack.has(c)) throw new WhirlError('WHIRL_SEQUENCE_CYCLIC');
      const q = parseQualifiedName(c, self.namespace);
      if (!q || q.namespace !== self.namespace) throw new WhirlError('WHIRL_SEQUENCE_COMPONENT_MISSING');
      const storeNamespace = q.pkg ? `${q.namespace}/${q.pkg}` : q.namespace;
      const found = await entities.get<Action>('actions', storeNamespace, q.name);
      if (!found) throw new WhirlError('WHIRL_SEQUENCE_COMPONENT_MISSING', [entityPath(q)]);
      const exec = found.doc.exec;
      if (isSequence(exec)) {
        await expand(exec.components, new Set([...stack, c]));
      } else {
        atomic += 1;
        if (atomic > maxLength) throw new WhirlError('WHIRL_SEQUENCE_TOO_LONG');
      }
    }
  };
  await expand(exec.components, new Set());
}
