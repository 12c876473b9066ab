import type { ActivationRecord } from '../../domain/activation.js';
import type { ActivationQuery } from '../../ports/activation-store.js';
import { activationDocId } from './doc-ids.js';

/**
 * Activation records in memory, indexed the way the port lists them: per namespace and per (namespace, name),
 * arrays kept sorted by (`start`, activationId) ascending. Records mostly arrive in `start` order, so inserting
 * is usually an append; `since`/`upto` are binary searches; listing walks backwards (newest first). Ties on
 * `start` are ordered by activationId, descending in listings, as CouchDB orders equal view keys by doc id.
 */
export class ActivationIndex {
  private readonly byId = new Map<string, ActivationRecord>();
  private readonly byNamespace = new Map<string, ActivationRecord[]>();
  private readonly byName = new Map<string, ActivationRecord[]>();

  has(namespace: string, activationId: string): boolean {
    return this.byId.has(activationDocId(namespace, activationId));
  }

  get(namespace: string, activationId: string): ActivationRecord | undefined {
    return this.byId.get(activationDocId(namespace, activationId));
  }

  /** Adds `record` unless one with its (namespace, activationId) is indexed; returns whether it was added. */
  add(record: ActivationRecord): boolean {
    const id = activationDocId(record.namespace, record.activationId);
    if (this.byId.has(id)) return false;
    this.byId.set(id, record);
    insertSorted(arrayFor(this.byNamespace, record.namespace), record);
    insertSorted(arrayFor(this.byName, nameKey(record.namespace, record.name)), record);
    return true;
  }

  list(namespace: string, query: ActivationQuery): ActivationRecord[] {
    const sorted = this.sortedFor(namespace, query.name);
    const [lo, hi] = range(sorted, query.since, query.upto);
    const out: ActivationRecord[] = [];
    for (let i = hi - 1 - query.skip; i >= lo && out.length < query.limit; i--) out.push(sorted[i]!);
    return out;
  }

  count(namespace: string, query: Omit<ActivationQuery, 'limit' | 'skip'>): number {
    const [lo, hi] = range(this.sortedFor(namespace, query.name), query.since, query.upto);
    return hi - lo;
  }

  get size(): number {
    return this.byId.size;
  }

  all(): IterableIterator<ActivationRecord> {
    return this.byId.values();
  }

  private sortedFor(namespace: string, name: string | undefined): ActivationRecord[] {
    const sorted = name === undefined ? this.byNamespace.get(namespace) : this.byName.get(nameKey(namespace, name));
    return sorted ?? [];
  }
}

/** Names never contain NUL, so this key cannot collide across namespaces. */
function nameKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function arrayFor(map: Map<string, ActivationRecord[]>, key: string): ActivationRecord[] {
  let a = map.get(key);
  if (!a) {
    a = [];
    map.set(key, a);
  }
  return a;
}

function before(a: ActivationRecord, b: ActivationRecord): boolean {
  return a.start < b.start || (a.start === b.start && a.activationId < b.activationId);
}

function insertSorted(sorted: ActivationRecord[], record: ActivationRecord): void {
  const last = sorted[sorted.length - 1];
  if (last === undefined || before(last, record)) {
    sorted.push(record);
    return;
  }
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(sorted[mid]!, record)) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, record);
}

/** Index of the first record whose `start` is ≥ `t` (or > `t` when `after`). */
function lowerBound(sorted: ActivationRecord[], t: number, after: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = sorted[mid]!.start;
    if (s < t || (after && s === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The half-open index range of records with since ≤ start ≤ upto. */
function range(sorted: ActivationRecord[], since?: number, upto?: number): [number, number] {
  const lo = since === undefined ? 0 : lowerBound(sorted, since, false);
  const hi = upto === undefined ? sorted.length : lowerBound(sorted, upto, true);
  return [lo, Math.max(lo, hi)];
}
