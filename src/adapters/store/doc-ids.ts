import type { Collection } from '../../ports/entity-store.js';

/**
 * Document ids shared by the file log and CouchDB, so a store's documents are recognisable in either:
 * entities `collection/namespace/name`, activations `namespace/activationId`. Names never contain `/`, and
 * collections never do, so the collection is always the part before the first `/`.
 */
export function entityDocId(collection: Collection, namespace: string, name: string): string {
  return `${collection}/${namespace}/${name}`;
}

export function collectionOfDocId(id: string): string {
  return id.slice(0, id.indexOf('/'));
}

export function activationDocId(namespace: string, activationId: string): string {
  return `${namespace}/${activationId}`;
}
