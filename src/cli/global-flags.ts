import type { FlagSpec } from './args.js';

/** Flags every command accepts; a command's own flag of the same name takes precedence. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'apihost', type: 'string', placeholder: 'HOST', description: 'API host (overrides APIHOST)' },
  { name: 'auth', short: 'u', type: 'string', placeholder: 'KEY', description: 'authorization key uuid:key (overrides AUTH)' },
  { name: 'namespace', type: 'string', placeholder: 'NS', description: 'default namespace (overrides NAMESPACE)' },
  { name: 'json', type: 'boolean', description: 'print the API answer as JSON (for scripts)' },
  { name: 'insecure', short: 'i', type: 'boolean', description: 'accept any TLS certificate (self-signed deployments), as wsk -i' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show help' },
];

export function flagsFor(own: readonly FlagSpec[] = []): FlagSpec[] {
  const names = new Set(own.map((f) => f.name));
  const shorts = new Set(own.map((f) => f.short).filter(Boolean));
  return [...own, ...GLOBAL_FLAGS.filter((g) => !names.has(g.name) && !(g.short && shorts.has(g.short)))];
}
