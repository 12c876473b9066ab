import type { Clock } from '../../ports/clock.js';
import type { ExecutionStore, HistoryRecord, TransitionRecord } from '../../ports/execution-store.js';
import type { Logger } from '../../ports/logger.js';
import type { ExecContext, ExecEvent } from './exec-context.js';

/** The history entries a transition produced (they travel in its snapshot's outbox). */
export function historyEntries(ctx: ExecContext): HistoryRecord[] {
  return ctx.outbox.flatMap((e) => (e.type === 'history' ? [e.entry as unknown as HistoryRecord] : []));
}

/**
 * May this transition's effects run before its snapshot is stored? Only if replaying it after a crash is certain to
 * produce the same dispatches (same activation ids): the state before it had exactly one thing that could happen
 * next — the completion of its only pending task, with no timer armed — and that is the event. A restarted engine
 * resumes from the previous snapshot, finds that task's record (stored before its queue delivery finished), applies
 * it, and so re-derives the very tasks already published. Anything with a choice of what comes first (parallel
 * tasks, timeouts, waits, retries) keeps "snapshot first, then effects". (A cancel arriving first after a restart
 * is the one other event possible: the already-published step then runs and its result is ignored, as for a
 * cancel during a step.)
 */
export function replayable(before: ExecContext, event: ExecEvent, after: ExecContext): boolean {
  if (event.type !== 'task.completed' || Object.keys(before.timers).length > 0) return false;
  const pending = Object.keys(before.tasks);
  return pending.length === 1 && pending[0] === event.activationId && after.outbox.some((e) => e.type === 'dispatch');
}

/**
 * When a write stores a snapshot instead of appending its transitions: after this many transitions, or once the
 * transitions and history entries appended since the last snapshot weigh as much as that snapshot (at least
 * `SNAPSHOT_MIN_BYTES`). Snapshots then cost at most what the logs cost (plus 1/SNAPSHOT_EVERY of the state per
 * transition), and resuming replays at most SNAPSHOT_EVERY transitions.
 */
const SNAPSHOT_EVERY = 500;
const SNAPSHOT_MIN_BYTES = 64 * 1024;

interface Delayed {
  timer: { cancel(): void };
  fire(): void;
  sent: Promise<void>;
}

export interface WriterDeps {
  executions: ExecutionStore;
  clock: Clock;
  logger: Logger;
  /** Delay of replayable writes (see CompositionEngineDeps.saveDelayMs). */
  saveDelayMs?: number;
}

/**
 * The write side of one running execution: its transitions and the history entries not yet appended, written one
 * write at a time, in order, coalesced. A write appends the transitions recorded since the last one (the events,
 * which the engine replays onto the stored snapshot to resume) with the history entries — bytes proportional to
 * what happened — and every so often stores the latest snapshot instead (`SNAPSHOT_EVERY`), which makes the
 * transitions before it unnecessary. Below, "the snapshot" means the state a write stores, either way.
 *
 * Invariants, so a crash loses no history entry and a resumed execution re-appends exactly what it needs:
 * - a snapshot is saved together with every history entry of the transitions before it (the same store request;
 *   a write resolves only when all of it is stored, and a failed write is retried whole by the next); its own
 *   entries are in its outbox and are re-appended on resume, idempotent by seq;
 * - an *ordered* write (effects wait for it) stores the snapshot before its own entries, so the log never shows a
 *   transition that a crash then undid and the resumed engine took differently; a *replayable* write (see
 *   `replayable`) stores its own entries in the same request — a replay writes the same entries.
 * A replayable write may also wait `saveDelayMs` and go out with the writes that follow within that window (losing
 * it to a crash loses nothing a replay does not redo); an ordered write, or `idle`, sends what waits at once.
 */
export class StateWriter {
  private tail: Promise<void> = Promise.resolve();
  private latest: { snapshot: unknown; own: HistoryRecord[]; at?: number } | undefined;
  /** Transitions recorded and not yet stored. */
  private steps: TransitionRecord[] = [];
  /** Since the last stored snapshot: transitions appended and their bytes (history included). */
  private sinceSnapshot = { count: 0, bytes: 0 };
  private snapshotBytes = 0;
  private ordered = false;
  private pending: HistoryRecord[] = [];
  /** The background append of the last ordered write's own entries (the next write waits for it). */
  private historyWrite: Promise<void>;
  /** A delayed (replayable) write waiting for its timer: `fire` sends it now; `sent` settles with that write. */
  private delayed: Delayed | undefined;

  /** `firstEntries`: the outbox of the snapshot already stored (the initial one, or the one resumed from). */
  constructor(
    private readonly id: string,
    private readonly deps: WriterDeps,
    firstEntries: HistoryRecord[],
  ) {
    this.historyWrite = appendWithRetry(deps, id, firstEntries);
  }

  /**
   * Records a transition (its persisted snapshot, history entries and — to append it rather than the snapshot —
   * its number and event) and queues a write. Resolves when a write including it is stored; rejects if that write
   * fails (the next write retries its content).
   */
  write(snapshot: unknown, entries: HistoryRecord[], ordered: boolean, step?: TransitionRecord): Promise<void> {
    this.pending.push(...entries);
    this.latest = { snapshot, own: entries, ...(step ? { at: step.n } : {}) };
    if (step) this.steps.push(step);
    if (ordered) this.ordered = true;
    const delayMs = this.deps.saveDelayMs ?? 0;
    if (ordered || delayMs <= 0) {
      this.delayed?.fire(); // it goes out with this write (the flush takes everything recorded so far)
      return this.enqueueFlush();
    }
    this.delayed ??= this.delay(delayMs);
    return this.delayed.sent;
  }

  private delay(delayMs: number): Delayed {
    const d = {} as Delayed;
    d.sent = new Promise<void>((resolve, reject) => {
      d.fire = () => {
        if (this.delayed !== d) return;
        d.timer.cancel();
        this.delayed = undefined;
        this.enqueueFlush().then(resolve, reject);
      };
    });
    d.timer = this.deps.clock.setTimeout(() => d.fire(), delayMs);
    return d;
  }

  private enqueueFlush(): Promise<void> {
    const step = this.tail.then(() => this.flush());
    this.tail = step.catch(() => {});
    return step;
  }

  /**
   * An ordered transition's snapshot failed to store (and no later write stored one yet): the stored state is
   * behind a transition that a replay might take differently, so no later transition may run ahead of its save
   * either — `replayable` holds only relative to the state actually stored.
   */
  get orderedUnsaved(): boolean {
    return this.ordered;
  }

  /** Every write queued so far has finished (stored or failed), background appends included. */
  async idle(): Promise<void> {
    this.delayed?.fire();
    await this.tail;
    await this.historyWrite;
  }

  /** Entries recorded but not stored (after a failed write); the caller takes over appending them. */
  takeUnwritten(): HistoryRecord[] {
    this.latest = undefined;
    this.steps = [];
    return this.pending.splice(0);
  }

  private async flush(): Promise<void> {
    await this.historyWrite;
    const latest = this.latest;
    if (!latest) return; // an earlier write already took this state
    const ordered = this.ordered;
    const entries = this.pending.splice(0);
    const steps = this.steps.splice(0);
    this.latest = undefined;
    this.ordered = false;
    const own = new Set(latest.own.map((e) => e.seq));
    try {
      // One store request: the state with the entries before it (and, replayable, its own).
      const earlier = ordered ? entries.filter((e) => !own.has(e.seq)) : entries;
      const bytes = jsonLength(steps) + jsonLength(entries);
      const snapshotDue =
        latest.at === undefined ||
        steps.length === 0 ||
        this.sinceSnapshot.count + steps.length >= SNAPSHOT_EVERY ||
        this.sinceSnapshot.bytes + bytes >= Math.max(SNAPSHOT_MIN_BYTES, this.snapshotBytes);
      if (snapshotDue) {
        const update = { status: 'running' as const, snapshot: latest.snapshot, ...(latest.at !== undefined ? { snapshotAt: latest.at } : {}) };
        await this.deps.executions.save(this.id, update, earlier);
        this.sinceSnapshot = { count: 0, bytes: 0 };
        this.snapshotBytes = jsonLength(latest.snapshot);
      } else {
        await this.deps.executions.appendHistory(this.id, earlier, steps);
        this.sinceSnapshot = { count: this.sinceSnapshot.count + steps.length, bytes: this.sinceSnapshot.bytes + bytes };
      }
      if (ordered) this.historyWrite = appendWithRetry(this.deps, this.id, latest.own);
    } catch (err) {
      this.pending.unshift(...entries);
      this.steps.unshift(...steps);
      this.latest ??= latest;
      this.ordered ||= ordered;
      throw err;
    }
  }
}

function jsonLength(v: unknown): number {
  return JSON.stringify(v)?.length ?? 0;
}

/** Appends history entries, retrying a few times; never rejects (a gap is logged). */
export async function appendWithRetry(deps: WriterDeps, id: string, entries: HistoryRecord[]): Promise<void> {
  if (entries.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.executions.appendHistory(id, entries);
    } catch (err) {
      if (attempt >= 5) {
        deps.logger.error({ err: String(err), executionId: id }, 'execution history entries lost');
        return;
      }
      await new Promise<void>((resolve) => deps.clock.setTimeout(resolve, 100 * attempt));
    }
  }
}
