import { usageError } from './cli-error.js';

/**
 * Entity names as `wsk` accepts them: `name`, `pkg/name` (in the default namespace), `/ns/name` or `/ns/pkg/name`.
 * The default namespace is the NAMESPACE property (`_` = the caller's own).
 */
export interface EntityPath {
  namespace: string;
  pkg?: string | undefined;
  name: string;
}

export function parseEntityName(input: string, defaultNamespace: string, allowPackage = true): EntityPath {
  const absolute = input.startsWith('/');
  const parts = (absolute ? input.slice(1) : input).split('/');
  if (parts.some((p) => p === '')) throw usageError(`'${input}' is not a valid entity name`);
  const max = allowPackage ? 3 : 2;
  if (absolute) {
    if (parts.length < 2 || parts.length > max) throw usageError(`'${input}' is not a valid entity name`);
    const [namespace, a, b] = parts as [string, string, string | undefined];
    return b === undefined ? { namespace, name: a } : { namespace, pkg: a, name: b };
  }
  if (parts.length > max - 1) throw usageError(`'${input}' is not a valid entity name`);
  const [a, b] = parts as [string, string | undefined];
  return b === undefined ? { namespace: defaultNamespace, name: a } : { namespace: defaultNamespace, pkg: a, name: b };
}

/** `/ns/[pkg/]name`, as the API writes fully qualified names. */
export function qualifiedName(p: EntityPath): string {
  return `/${p.namespace}/${p.pkg ? `${p.pkg}/` : ''}${p.name}`;
}

/** `namespaces/{ns}/{collection}/[{pkg}/]{name}`, each segment URL-encoded. */
export function entityUrl(collection: string, p: EntityPath): string {
  const segments = [p.namespace, collection, ...(p.pkg ? [p.pkg] : []), p.name].map(encodeURIComponent);
  return `namespaces/${segments.join('/')}`;
}

export function collectionUrl(collection: string, namespace: string): string {
  return `namespaces/${encodeURIComponent(namespace)}/${collection}`;
}
