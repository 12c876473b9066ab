import { type Package, bindingOf, packagePath } from '../../domain/package.js';
import { kvMerge, type KeyValue } from '../../domain/key-value.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { EntityStore, Stored } from '../../ports/entity-store.js';

/**
 * A package as seen through the caller's namespace: a plain package, or a binding followed to the package it names.
 * `actionsPath` is where the actions live (`ns/pkg` of the bound package); `parameters` are package < binding.
 */
export interface ResolvedPackage {
  /** The package document the caller named (the binding itself, for a binding). */
  named: Stored<Package>;
  /** The package that holds the actions: `named` itself unless it is a binding. */
  target: Package;
  actionsPath: string;
  parameters: KeyValue[];
  /** `ns/binding` when reached through a binding (the record's `binding` annotation). */
  bindingPath?: string;
}

/**
 * Looks `namespace/pkg` up and follows a binding one step (bindings cannot chain). A binding whose package is gone,
 * or now unpublished in another namespace, resolves to undefined: the caller sees the actions as absent.
 */
export async function resolvePackage(
  entities: EntityStore,
  namespace: string,
  pkg: string,
): Promise<ResolvedPackage | undefined> {
  const named = await entities.get<Package>('packages', namespace, pkg);
  if (!named) return undefined;
  const binding = bindingOf(named.doc);
  if (!binding) {
    return {
      named,
      target: named.doc,
      actionsPath: packagePath(namespace, pkg),
      parameters: named.doc.parameters,
    };
  }
  const target = await boundPackage(entities, namespace, binding);
  if (!target) return undefined;
  return {
    named,
    target,
    actionsPath: packagePath(target.namespace, target.name),
    parameters: kvMerge(target.parameters, named.doc.parameters),
    bindingPath: packagePath(namespace, pkg),
  };
}

/**
 * The package a binding may point at: it exists, is not itself a binding, and is the caller's own or published.
 * Returns undefined when absent or not visible.
 */
export async function boundPackage(
  entities: EntityStore,
  callerNamespace: string,
  ref: { namespace: string; name: string },
): Promise<Package | undefined> {
  const found = await entities.get<Package>('packages', ref.namespace, ref.name);
  if (!found) return undefined;
  if (ref.namespace !== callerNamespace && !found.doc.publish) return undefined;
  return found.doc;
}

/** Validates a binding about to be stored (`C/Packages.scala` checkBinding). */
export async function checkBinding(
  entities: EntityStore,
  callerNamespace: string,
  ref: { namespace: string; name: string },
  /** Packages that exist without a document (Whirl's built-in feed packages under `whisk.system`). */
  isSystemPackage: (ref: { namespace: string; name: string }) => boolean = () => false,
): Promise<void> {
  if (isSystemPackage(ref)) return;
  const target = await boundPackage(entities, callerNamespace, ref);
  if (!target) throw new WhirlError('WHIRL_BINDING_MISSING');
  if (bindingOf(target)) throw new WhirlError('WHIRL_BINDING_TO_BINDING');
}
