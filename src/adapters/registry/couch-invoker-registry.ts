import { WhirlError } from '../../errors/whirl-error.js';
import type { InvokerLoad, InvokerRegistry, InvokerStatus } from '../../ports/invoker-registry.js';
import type { CouchOptions } from '../store/couchdb/couch-database.js';
import { coordinationDocs, type CouchDocs } from '../store/couchdb/couch-docs.js';

interface HeartbeatDoc extends Record<string, unknown> {
  load: InvokerLoad;
  at: number;
}

/**
 * Invoker heartbeats in CouchDB (`WHIRL_COORDINATION=store`): one document `inv:<id>` per invoker in the
 * `<prefix>coordination` database, stamped with the heartbeating host's clock — so, unlike the Redis registry,
 * hosts' clocks must agree to well within WHIRL_INVOKER_DEAD_MS (NTP does). Entries older than `forgetMs` are
 * deleted by whoever lists them.
 */
export class CouchInvokerRegistry implements InvokerRegistry {
  private readonly docs: CouchDocs;

  constructor(private readonly options: CouchOptions & { forgetMs: number; now?: () => number }) {
    this.docs = coordinationDocs(options);
  }

  async heartbeat(status: InvokerLoad): Promise<void> {
    const load = { id: status.id, memoryMB: status.memoryMB, freeMB: status.freeMB };
    await this.call(() => this.docs.update(`inv:${status.id}`, () => ({ write: { load, at: this.now() }, result: undefined })));
  }

  async list(): Promise<InvokerStatus[]> {
    return this.call(async () => {
      const now = this.now();
      const all = await this.docs.list<HeartbeatDoc>('inv:');
      const gone = all.filter((d) => now - d.at >= this.options.forgetMs);
      await this.docs.remove(gone).catch(() => undefined);
      return all
        .filter((d) => now - d.at < this.options.forgetMs)
        .map((d) => ({ ...d.load, ageMs: Math.max(0, now - d.at) }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  async close(): Promise<void> {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', [`invoker registry: ${(err as Error).message}`], { cause: err });
    }
  }
}
