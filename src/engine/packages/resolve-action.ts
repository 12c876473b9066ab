import type { Action } from '../../domain/action.js';
import { isTruthyAnnotation, kvSet, type KeyValue } from '../../domain/key-value.js';
import type { QualifiedName } from '../../domain/names.js';
import type { Package } from '../../domain/package.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { EntityStore } from '../../ports/entity-store.js';
import { resolvePackage } from './resolve-package.js';

/**
 * An action found by the path a caller used (`name` or `pkg/name` in the caller's namespace), ready to invoke:
 * `action.parameters` are already merged package < binding < action, so the engine's own merge (those < invocation
 * payload) completes OpenWhisk's precedence. Reusable by every entry point that runs actions by path (REST invoke,
 * rules, web actions).
 */
export interface ResolvedAction {
  /** The action with merged parameters; `namespace` is where it lives (`ns/pkg` of the bound package). */
  action: Action;
  /** The stored revision (warm containers are keyed by it). */
  revision: string;
  /** The action's own stored parameters, before merging (what GET on the action shows). */
  ownParameters: KeyValue[];
  /** `ns/binding` when the path went through a binding. */
  bindingPath?: string;
}

export async function resolveAction(
  entities: EntityStore,
  path: { namespace: string; pkg?: string; name: string },
): Promise<ResolvedAction | undefined> {
  if (!path.pkg) {
    const found = await entities.get<Action>('actions', path.namespace, path.name);
    return found ? { action: found.doc, revision: found.rev, ownParameters: found.doc.parameters } : undefined;
  }
  const pkg = await resolvePackage(entities, path.namespace, path.pkg);
  if (!pkg) return undefined;
  const found = await entities.get<Action>('actions', pkg.actionsPath, path.name);
  if (!found) return undefined;
  const own = found.doc;
  // A sequence's parameters are meaningless; its components carry their own.
  const parameters = own.exec.kind === 'sequence' ? own.parameters : mergeParameters(pkg.parameters, own.parameters);
  let annotations = own.annotations;
  if (pkg.bindingPath) annotations = kvSet(annotations, 'binding', pkg.bindingPath);
  return {
    action: { ...own, parameters, annotations },
    revision: found.rev,
    ownParameters: own.parameters,
    ...(pkg.bindingPath ? { bindingPath: pkg.bindingPath } : {}),
  };
}

/** Package-level parameters below the action's own; each entry (with its `init` flag) comes from the list that wins. */
function mergeParameters(pkgParams: readonly KeyValue[], actionParams: readonly KeyValue[]): KeyValue[] {
  const merged = new Map<string, KeyValue>();
  for (const p of [...pkgParams, ...actionParams]) merged.set(p.key, p);
  return [...merged.values()];
}

/**
 * OpenWhisk's `final` rule (`WhiskAction.immutableParameters`): when the action is annotated `final: true`, an
 * invocation payload may not set a key that the merged parameters already define with a value (400).
 * Array payloads replace parameters wholesale and are not checked, as in OpenWhisk.
 */
export function checkFinalParameters(action: Action, payload: unknown): void {
  if (Array.isArray(payload) || typeof payload !== 'object' || payload === null) return;
  if (!isTruthyAnnotation(action.annotations, 'final')) return;
  const bound = new Set(action.parameters.filter((p) => p.value !== undefined && p.value !== null).map((p) => p.key));
  if (Object.keys(payload).some((k) => bound.has(k))) throw new WhirlError('WHIRL_FINAL_PARAMS');
}

/**
 * Whether a caller of another namespace may see `namespace/pkg`: OpenWhisk shares a package that is published
 * (`wsk package get /whisk.system/utils`), with its actions; everything else stays private.
 */
export async function isSharedPackage(entities: EntityStore, namespace: string, pkg: string): Promise<boolean> {
  const named = await entities.get<Package>('packages', namespace, pkg);
  return named?.doc.publish === true;
}

/**
 * The action `q` as `callerNamespace` sees it: its own (plain, packaged, through a binding), or one inside a
 * published package of another namespace (`/whisk.system/utils/echo`). Undefined when absent or not visible.
 */
export async function resolveVisibleAction(
  entities: EntityStore,
  callerNamespace: string,
  q: QualifiedName,
): Promise<ResolvedAction | undefined> {
  if (q.namespace !== callerNamespace && !(q.pkg && (await isSharedPackage(entities, q.namespace, q.pkg)))) return undefined;
  return resolveAction(entities, q);
}
