/**
 * Entity names and paths, with OpenWhisk's rules (`EntityPath.scala`):
 * a name is 1..256 characters of `[\w@ .&-]`, starting with a word character and not ending with a space.
 */
/** The longest entity name (OpenWhisk's `EntityName`): routes must accept it in every path parameter. */
export const MAX_NAME_LENGTH = 256;

const NAME = /^(?:[\w]|[\w][\w@ .&-]{0,254}[\w@.&-])$/u;

export function isValidName(name: string): boolean {
  return NAME.test(name) && !/[^\x20-\x7e]/.test(name);
}

/** The caller's own namespace, spelled `_` in URLs and in fully qualified names. */
export const DEFAULT_NAMESPACE = '_';

/** A fully qualified entity name: `/namespace[/package]/name`. */
export interface QualifiedName {
  readonly namespace: string;
  readonly pkg?: string;
  readonly name: string;
}

/** `pkg/name` or `name`: the path inside a namespace, as activation `name` filters and record paths use it. */
export function entityPath(q: { pkg?: string; name: string }): string {
  return q.pkg ? `${q.pkg}/${q.name}` : q.name;
}

/** `/ns/pkg/name` */
export function fullyQualified(q: QualifiedName): string {
  return `/${q.namespace}/${entityPath(q)}`;
}

/**
 * Parses `/ns/a`, `/ns/pkg/a`, `a`, `pkg/a` relative to `defaultNamespace`; returns undefined when malformed.
 * A leading `_` namespace resolves to `defaultNamespace`.
 */
export function parseQualifiedName(raw: string, defaultNamespace: string): QualifiedName | undefined {
  const absolute = raw.startsWith('/');
  const parts = (absolute ? raw.slice(1) : raw).split('/');
  if (parts.some((p) => !isValidName(p))) return undefined;
  if (absolute) {
    if (parts.length < 2 || parts.length > 3) return undefined;
    const ns = parts[0] === DEFAULT_NAMESPACE ? defaultNamespace : parts[0]!;
    return parts.length === 2 ? { namespace: ns, name: parts[1]! } : { namespace: ns, pkg: parts[1]!, name: parts[2]! };
  }
  if (parts.length === 1) return { namespace: defaultNamespace, name: parts[0]! };
  if (parts.length === 2) return { namespace: defaultNamespace, pkg: parts[0]!, name: parts[1]! };
  return undefined;
}
