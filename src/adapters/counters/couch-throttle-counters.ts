import { WhirlError } from '../../errors/whirl-error.js';
import type { SlotAnswer, ThrottleCounters } from '../../ports/throttle-counters.js';
import type { CouchOptions } from '../store/couchdb/couch-database.js';
import { coordinationDocs, type CouchDocs } from '../store/couchdb/couch-docs.js';

interface RateDoc extends Record<string, unknown> {
  count: number;
  expiresAt: number;
}

interface SlotsDoc extends Record<string, unknown> {
  /** member → lease end (epoch ms). */
  leases: Record<string, number>;
}

/**
 * Throttle counters in CouchDB (`WHIRL_COORDINATION=store`), shared by every API process without Redis: a rate
 * window is a document `rate:<key>:<window>` holding its count, a key's concurrency slots one document
 * `slots:<key>` mapping members to lease ends. Both change by read-modify-write fenced by the revision, so two
 * processes never both take the last slot. Each admitted activation costs a document update per limited counter:
 * right for OpenWhisk-sized limits (tens to hundreds per minute and namespace); Redis suits thousands per second.
 */
export class CouchThrottleCounters implements ThrottleCounters {
  private readonly docs: CouchDocs;

  constructor(options: CouchOptions) {
    this.docs = coordinationDocs(options);
  }

  async hit(key: string, window: number, ttlMs: number): Promise<number> {
    const count = await this.call(() =>
      this.docs.update<RateDoc, number>(`rate:${key}:${window}`, (doc) => {
        const fresh = !doc || doc.expiresAt <= Date.now();
        const next = fresh ? 1 : doc.count + 1;
        return { write: { count: next, expiresAt: fresh ? Date.now() + ttlMs : doc.expiresAt }, result: next };
      }),
    );
    // The window before last is over for good: its document goes (best effort) when a new window starts.
    if (count === 1) void this.docs.update(`rate:${key}:${window - 2}`, () => ({ write: 'delete', result: undefined })).catch(() => undefined);
    return count;
  }

  async acquire(key: string, member: string, limit: number, leaseUntil: number, now: number): Promise<SlotAnswer> {
    return this.call(() =>
      this.docs.update<SlotsDoc, SlotAnswer>(this.slotsId(key), (doc) => {
        const leases = live(doc, now);
        const held = Object.keys(leases).length;
        if (leases[member] === undefined && held >= limit) return { result: { acquired: false, count: held } };
        leases[member] = leaseUntil;
        return { write: { leases }, result: { acquired: true, count: Object.keys(leases).length } };
      }),
    );
  }

  async release(key: string, member: string): Promise<void> {
    await this.call(() =>
      this.docs.update<SlotsDoc, void>(this.slotsId(key), (doc) => {
        if (!doc || doc.leases[member] === undefined) return { result: undefined };
        const { [member]: _, ...rest } = doc.leases;
        return { write: { leases: rest }, result: undefined };
      }),
    );
  }

  async held(key: string, now: number): Promise<number> {
    return this.call(async () => Object.keys(live(await this.docs.get<SlotsDoc>(this.slotsId(key)), now)).length);
  }

  async close(): Promise<void> {}

  private slotsId(key: string): string {
    return `slots:${key}`;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new WhirlError('WHIRL_UNAVAILABLE', [`throttle counters: ${e instanceof Error ? e.message : String(e)}`], {
        cause: e,
      });
    }
  }
}

function live(doc: SlotsDoc | undefined, now: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [m, until] of Object.entries(doc?.leases ?? {})) if (until > now) out[m] = until;
  return out;
}
