import type { Action } from '../domain/action.js';
import { kvToObject } from '../domain/key-value.js';
import type { Clock } from '../ports/clock.js';
import type { EntityStore, Stored } from '../ports/entity-store.js';

/**
 * A short-lived cache of action documents in front of the store, for the invoke hot path.
 *
 * Consistency: writes through this process invalidate their entry at once; writes through another API process are
 * seen after at most `ttlMs`. Absent actions are not cached, so a create elsewhere is visible immediately.
 * Each entry also remembers the byte size of the action's parameters, so the payload-size check needs no
 * re-serialisation per invoke.
 */
export interface CachedAction {
  stored: Stored<Action>;
  parameterBytes: number;
}

export class ActionCache {
  private readonly entries = new Map<string, CachedAction & { expires: number }>();

  constructor(
    private readonly entities: EntityStore,
    private readonly clock: Clock,
    private readonly ttlMs = 1_000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(namespace: string, name: string): Promise<CachedAction | undefined> {
    const key = cacheKey(namespace, name);
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.clock.now()) return hit;
    const stored = await this.entities.get<Action>('actions', namespace, name);
    if (!stored) {
      this.entries.delete(key);
      return undefined;
    }
    const entry = {
      stored,
      parameterBytes: Buffer.byteLength(JSON.stringify(kvToObject(stored.doc.parameters))),
      expires: this.clock.now() + this.ttlMs,
    };
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, entry);
    return entry;
  }

  invalidate(namespace: string, name: string): void {
    this.entries.delete(cacheKey(namespace, name));
  }
}

function cacheKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}
