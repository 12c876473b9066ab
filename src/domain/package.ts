import type { KeyValue } from './key-value.js';

/**
 * A package (`E/WhiskPackage.scala`): a namespace-level folder of actions with shared parameters, or a **binding**
 * (`binding` set) that points at another package, possibly in another namespace when that one is `publish`ed.
 * Packages do not nest; a binding cannot point at a binding. `binding` is `{}` for a plain package, as OpenWhisk
 * serves it.
 */
export interface Package {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  annotations: KeyValue[];
  parameters: KeyValue[];
  binding: PackageBinding | Record<string, never>;
  updated: number;
}

export interface PackageBinding {
  namespace: string;
  name: string;
}

/** The package name OpenWhisk reserves for "no package" in web action URLs (`C/Packages.scala` RESERVED_NAMES). */
export const RESERVED_PACKAGE_NAMES: ReadonlySet<string> = new Set(['default']);

export function bindingOf(p: Package): PackageBinding | undefined {
  const b = p.binding as Partial<PackageBinding>;
  return typeof b.namespace === 'string' && typeof b.name === 'string' ? { namespace: b.namespace, name: b.name } : undefined;
}

/** Where a packaged action is stored: its namespace field is `ns/pkg`. */
export function packagePath(namespace: string, pkg: string): string {
  return `${namespace}/${pkg}`;
}

/** The list summary (`WhiskPackage.summaryAsJson`): no parameters. */
export function packageSummary(p: Package): Record<string, unknown> {
  return {
    namespace: p.namespace,
    name: p.name,
    version: p.version,
    publish: p.publish,
    annotations: p.annotations,
    binding: p.binding,
    updated: p.updated,
  };
}
