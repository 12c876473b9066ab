import type { Action } from '../../domain/action.js';
import { nextVersion } from '../../domain/action.js';
import type { Composition, CompositionDefinition } from '../../domain/composition.js';
import { parseQualifiedName } from '../../domain/names.js';
import { importAsl } from '../../dsl/asl/index.js';
import { actionsOf, validateDefinition } from '../../engine/composition/validate.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { EntityStore } from '../../ports/entity-store.js';

export interface CompositionPutBody {
  definition?: unknown;
  /** An Amazon States Language state machine, converted to the IR (instead of `definition`). */
  asl?: unknown;
  annotations?: Array<{ key: string; value: unknown }>;
}

/**
 * The composition a PUT stores: the definition validated statically (shape, bounds, defaults, reachability) and
 * every action it names looked up in the caller's namespace. Fails with WHIRL_COMPOSITION_INVALID listing every
 * problem as `path: problem`. An `asl` body is converted first; what cannot be converted fails with
 * WHIRL_ASL_UNSUPPORTED naming the state.
 */
export async function composeComposition(
  entities: EntityStore,
  input: {
    namespace: string;
    name: string;
    body: CompositionPutBody;
    existing?: Composition;
    now: number;
    limits?: { maxIterations: number; maxNesting: number };
  },
): Promise<Composition> {
  const { body, namespace } = input;
  if (body.asl !== undefined && body.definition !== undefined) {
    throw new WhirlError('WHIRL_COMPOSITION_INVALID', ['give either definition or asl, not both']);
  }
  const definition = body.asl !== undefined ? importAsl(body.asl, { name: input.name }) : body.definition ?? input.existing?.definition;
  const known = new Set<string>();
  for (const action of new Set(namedActions(definition))) if (await actionExists(entities, namespace, action)) known.add(action);
  const shape = validateDefinition(definition, {
    actionExists: (a) => known.has(a),
    ...(input.limits ? { limits: input.limits } : {}),
  });
  if (shape.length > 0) {
    throw new WhirlError('WHIRL_COMPOSITION_INVALID', [shape.map((i) => `${i.path || '/'}: ${i.problem}`).join('; ')]);
  }
  return {
    namespace,
    name: input.name,
    version: input.existing ? nextVersion(input.existing.version) : '0.0.1',
    definition: definition as CompositionDefinition,
    annotations: body.annotations ?? input.existing?.annotations ?? [],
    updated: input.now,
  };
}

async function actionExists(entities: EntityStore, namespace: string, name: string): Promise<boolean> {
  const q = parseQualifiedName(name, namespace);
  if (!q || q.namespace !== namespace) return false;
  return (await entities.get<Action>('actions', q.pkg ? `${q.namespace}/${q.pkg}` : q.namespace, q.name)) !== undefined;
}

/** Actions a (possibly malformed) document names; a malformed one names none here and fails validation anyway. */
function namedActions(definition: unknown): string[] {
  try {
    return actionsOf((definition as CompositionDefinition).root);
  } catch {
    return [];
  }
}
