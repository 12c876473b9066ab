import { type SequenceExec, isSequence } from '../../domain/exec.js';
import { entityPath, fullyQualified, parseQualifiedName } from '../../domain/names.js';
import { resolveVisibleAction } from '../../engine/packages/resolve-action.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { EntityStore } from '../../ports/entity-store.js';

/**
 * Validates a sequence about to be stored as `/namespace/name`: every component exists, no component leads back to
 * the sequence itself (directly or through nested sequences), and the inlined number of atomic actions stays within
 * `maxLength` (`C/Actions.scala` checkSequenceActionLimits).
 *
 * Components are the caller's own actions (through bindings too) or actions of another namespace's published
 * package (`/whisk.system/utils/sort`); anything else is reported missing, since "forbidden" would reveal that it
 * exists.
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
      if (!q) throw new WhirlError('WHIRL_SEQUENCE_COMPONENT_MISSING');
      const found = await resolveVisibleAction(entities, self.namespace, q);
      if (!found) throw new WhirlError('WHIRL_SEQUENCE_COMPONENT_MISSING', [entityPath(q)]);
      const exec = found.action.exec;
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
