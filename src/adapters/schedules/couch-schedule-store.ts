import { WhirlError } from '../../errors/whirl-error.js';
import type { Schedule, ScheduleStore } from '../../ports/schedule-store.js';
import type { CouchOptions } from '../store/couchdb/couch-database.js';
import { coordinationDocs, type CouchDocs } from '../store/couchdb/couch-docs.js';

interface TicksDoc extends Record<string, unknown> {
  last: number;
  /** The most recent claimed ticks, newest last (bounded: older ticks are behind `last` and never claimed). */
  claimed: number[];
}

/** Claimed ticks remembered per schedule: far more than any catch-up (WHIRL_SCHEDULE_MAX_CATCH_UP) claims at once. */
const CLAIMS_KEPT = 1000;

/**
 * Schedules in CouchDB (`WHIRL_COORDINATION=store`): `sched:<id>` holds the schedule, `ticks:<id>` the last
 * claimed tick and the recent claims. A claim is a revision-fenced update of `ticks:<id>`, so each (id, tick) goes
 * to exactly one process however many run the scheduler.
 */
export class CouchScheduleStore implements ScheduleStore {
  private readonly docs: CouchDocs;

  constructor(options: CouchOptions) {
    this.docs = coordinationDocs(options);
  }

  async put(schedule: Schedule): Promise<void> {
    await this.call(() => this.docs.update(`sched:${schedule.id}`, () => ({ write: { schedule }, result: undefined })));
  }

  async get(id: string): Promise<Schedule | undefined> {
    return this.call(async () => (await this.docs.get<{ schedule: Schedule }>(`sched:${id}`))?.schedule);
  }

  async delete(id: string): Promise<void> {
    await this.call(async () => {
      await this.docs.update(`sched:${id}`, () => ({ write: 'delete', result: undefined }));
      await this.docs.update(`ticks:${id}`, () => ({ write: 'delete', result: undefined }));
    });
  }

  async list(): Promise<Schedule[]> {
    return this.call(async () => (await this.docs.list<{ schedule: Schedule }>('sched:')).map((d) => d.schedule));
  }

  async claimTick(id: string, at: number): Promise<boolean> {
    return this.call(() =>
      this.docs.update<TicksDoc, boolean>(`ticks:${id}`, (doc) => {
        const claimed = doc?.claimed ?? [];
        const full = claimed.length >= CLAIMS_KEPT;
        if (claimed.includes(at) || (full && at < claimed[0]!)) return { result: false };
        const next = [...claimed, at].sort((a, b) => a - b).slice(-CLAIMS_KEPT);
        return { write: { last: Math.max(doc?.last ?? at, at), claimed: next }, result: true };
      }),
    );
  }

  async lastTick(id: string): Promise<number | undefined> {
    return this.call(async () => (await this.docs.get<TicksDoc>(`ticks:${id}`))?.last);
  }

  async close(): Promise<void> {}

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new WhirlError('WHIRL_UNAVAILABLE', [`schedule store: ${(err as Error).message}`], { cause: err });
    }
  }
}
