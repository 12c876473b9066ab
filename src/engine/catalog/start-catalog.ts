import { resolveKind, type RuntimeManifest } from '../../domain/exec.js';
import { defaultLimits, type SystemLimits } from '../../domain/limits.js';
import type { EntityStore } from '../../ports/entity-store.js';
import { seedSystemCatalog } from './seed-catalog.js';
import { systemCatalog } from './system-catalog.js';

/** Seeds `whisk.system` for this deployment's runtimes, limits and built-in feeds (docs/packages.md). */
export function seedBuiltinPackages(
  entities: EntityStore,
  opts: { runtimes: readonly RuntimeManifest[]; limits: SystemLimits; feedNames: readonly string[]; now: number },
): Promise<number> {
  const nodejs = resolveKind('nodejs:default', opts.runtimes);
  const catalog = systemCatalog({
    nodejsKind: nodejs?.kind ?? 'nodejs:20',
    limits: defaultLimits(opts.limits),
    feedNames: opts.feedNames,
  });
  return seedSystemCatalog(entities, catalog, opts.now);
}
