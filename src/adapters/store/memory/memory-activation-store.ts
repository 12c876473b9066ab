import type { ActivationRecord } from '../../../domain/activation.js';
import type { ActivationQuery, ActivationStore } from '../../../ports/activation-store.js';
import { ActivationIndex } from '../activation-index.js';
import { jsonCopy } from '../json-copy.js';

/** Activation records in process memory: for unit tests and throwaway servers. Records are copied in and out. */
export class MemoryActivationStore implements ActivationStore {
  private readonly index = new ActivationIndex();

  async putBatch(records: readonly ActivationRecord[]): Promise<void> {
    for (const r of records) if (!this.index.has(r.namespace, r.activationId)) this.index.add(jsonCopy(r));
  }

  async get(namespace: string, activationId: string): Promise<ActivationRecord | undefined> {
    const r = this.index.get(namespace, activationId);
    return r && jsonCopy(r);
  }

  async list(namespace: string, query: ActivationQuery): Promise<ActivationRecord[]> {
    return this.index.list(namespace, query).map(jsonCopy);
  }

  async count(namespace: string, query: Omit<ActivationQuery, 'limit' | 'skip'>): Promise<number> {
    return this.index.count(namespace, query);
  }

  async close(): Promise<void> {}
}
