import { makeResponse, StatusCode, type ActivationRecord } from '../domain/activation.js';
import { WhirlError } from '../errors/whirl-error.js';
import type { ActivationStore } from '../ports/activation-store.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { RecordSink } from '../ports/record-sink.js';

export interface RecordWriterOptions {
  store: ActivationStore;
  /** Most records per `putBatch`. */
  batchSize: number;
  /** Longest a record waits for its batch to fill. */
  batchDelayMs: number;
  /** Records accepted and not yet stored; past it, `write` waits (back-pressure on invokers). */
  bufferMax: number;
  clock: Clock;
  logger: Logger;
  /** `putBatch` calls at once (default 4). */
  maxInFlightBatches?: number;
  /** Retry backoff of a failed batch: doubles from `retryMinMs` up to `retryMaxMs` (defaults 50 ms → 2 s). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How long `close` keeps trying to store what it holds before giving up (default 30 s). */
  closeTimeoutMs?: number;
}

interface Entry {
  record: ActivationRecord;
  /** The record was replaced by its own error record because it could not be stored. */
  replaced?: boolean;
  /** Resolved: durably stored (a split batch stores its halves at different times). */
  stored?: boolean;
  settled: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * Batches activation records into the ActivationStore.
 *
 * Contract: `write` resolves once its record is durably stored (callers acknowledge queue deliveries only then),
 * so a record is never dropped silently. Records go out in batches of at most `batchSize`, when a batch is full
 * or `batchDelayMs` after its first record, with at most `maxInFlightBatches` `putBatch` calls at once.
 *
 * A failed batch is one of two things. If the store still answers (a read probe succeeds), something in the batch
 * is what fails — a record the store refuses or that cannot be serialised — so the batch is split in halves, each
 * stored on its own, down to the one bad record, which is replaced by its own error record (`action developer
 * error`, saying why): one bad record never holds back another, and its activation still ends with a record. If
 * the store does not answer, the batch is retried whole (the store is idempotent by activation id) with capped
 * backoff, indefinitely: an outage delays records, it does not lose them. Because the buffer is bounded, a long
 * outage pushes back on writers instead of growing memory. `close` stores everything held (including writes
 * waiting for room), and only after `closeTimeoutMs` (or on `abandon`) gives up, rejecting what is left with
 * WHIRL_STORE_UNAVAILABLE and logging the activation ids it could not store.
 */
export class RecordWriter implements RecordSink {
  private readonly maxInFlight: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly closeTimeoutMs: number;
  private pending: Entry[] = [];
  private readonly inFlight = new Set<Entry[]>();
  private held = 0;
  private spaceWaiters: Array<{ resolve(): void; reject(e: unknown): void }> = [];
  private readonly sleepers = new Set<() => void>();
  private timer: { cancel(): void } | undefined;
  /** Set when the oldest pending record has waited `batchDelayMs` (or on flush): partial batches may go. */
  private due = false;
  private closing: Promise<void> | undefined;
  private gaveUp: WhirlError | undefined;
  /** Successful `putBatch` calls so far: a single record that fails while others succeed is the bad one. */
  private successes = 0;

  constructor(private readonly o: RecordWriterOptions) {
    this.maxInFlight = o.maxInFlightBatches ?? 4;
    this.retryMinMs = o.retryMinMs ?? 50;
    this.retryMaxMs = o.retryMaxMs ?? 2000;
    this.closeTimeoutMs = o.closeTimeoutMs ?? 30_000;
    if (o.batchSize < 1 || o.bufferMax < 1 || this.maxInFlight < 1) {
      throw new WhirlError('WHIRL_BAD_REQUEST', ['record writer: batchSize, bufferMax and maxInFlightBatches must be ≥ 1']);
    }
  }

  /** Records accepted and not yet stored. */
  get buffered(): number {
    return this.held;
  }

  async write(record: ActivationRecord): Promise<void> {
    if (this.closing) throw new WhirlError('WHIRL_UNAVAILABLE', ['the activation record writer is closed']);
    while (this.held >= this.o.bufferMax) {
      await new Promise<void>((resolve, reject) => this.spaceWaiters.push({ resolve, reject }));
    }
    if (this.gaveUp) throw this.gaveUp;
    const entry = newEntry(record);
    this.pending.push(entry);
    this.held++;
    this.pump();
    return entry.settled;
  }

  /** Resolves once every record accepted so far (and every write waiting for room) is stored. */
  async flush(): Promise<void> {
    for (;;) {
      const waiting = [...this.pending, ...[...this.inFlight].flat()];
      if (waiting.length === 0 && this.spaceWaiters.length === 0) return;
      this.due = true;
      this.pump();
      if (waiting.length > 0) await Promise.allSettled(waiting.map((e) => e.settled));
      else await new Promise((resolve) => setImmediate(resolve)); // let woken writers enqueue
    }
  }

  /** Stops accepting records, stores what is held, then gives up on the rest after `closeTimeoutMs`. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    let timer: { cancel(): void } | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = this.o.clock.setTimeout(() => resolve('timeout'), this.closeTimeoutMs);
    });
    const outcome = await Promise.race([this.flush().then(() => 'flushed' as const), deadline]);
    timer?.cancel();
    if (outcome === 'timeout') this.abandon();
  }

  /** Starts every batch that may go now; arms the delay timer for a partial batch that may not yet. */
  private pump(): void {
    while (
      this.inFlight.size < this.maxInFlight &&
      this.pending.length > 0 &&
      (this.due || this.pending.length >= this.o.batchSize)
    ) {
      const batch = this.pending.splice(0, this.o.batchSize);
      this.inFlight.add(batch);
      void this.send(batch);
    }
    if (this.pending.length === 0) {
      this.due = false;
      this.timer?.cancel();
      this.timer = undefined;
    } else if (!this.due && !this.timer) {
      this.timer = this.o.clock.setTimeout(() => {
        this.timer = undefined;
        this.due = true;
        this.pump();
      }, this.o.batchDelayMs);
    }
  }

  private async send(batch: Entry[]): Promise<void> {
    await this.store(batch, this.successes);
    if (this.gaveUp) for (const e of batch) e.reject(this.gaveUp);
    this.inFlight.delete(batch);
    this.held -= batch.length;
    this.wakeWriters();
    this.pump();
  }

  /** Stores `entries` (resolving each), splitting them around records the store refuses; see the class comment. */
  private async store(entries: Entry[], successesBefore: number): Promise<void> {
    let delay = this.retryMinMs;
    /** Consecutive failures after which the store still answered. */
    let answered = 0;
    for (let attempt = 1; !this.gaveUp; attempt++) {
      try {
        await this.o.store.putBatch(entries.map((e) => e.record));
        this.successes++;
        for (const e of entries) e.resolve();
        return;
      } catch (err) {
        // A failure of the batch's own (serialisation, a refused document) is known at once; otherwise the store
        // must answer after two failures in a row (the first may be the end of an outage).
        const own = ownFailure(err);
        answered = own || (!this.gaveUp && (await this.storeAnswers())) ? answered + 1 : 0;
        if (!this.gaveUp && (own || answered >= 2)) {
          if (entries.length > 1) {
            const half = Math.ceil(entries.length / 2);
            const now = this.successes;
            await Promise.all([this.store(entries.slice(0, half), now), this.store(entries.slice(half), now)]);
            return;
          }
          const only = entries[0]!;
          // A lone record is the culprit when its failure is its own, or when other writes succeed meanwhile;
          // otherwise the store may be failing every write (a full disk) and the record is kept, to be retried.
          if (!only.replaced && (own || this.successes > successesBefore)) {
            this.o.logger.error(
              { err: String(err), activationId: only.record.activationId, namespace: only.record.namespace },
              'activation record cannot be stored; storing its error record instead',
            );
            only.record = unstorableRecord(only.record, err);
            only.replaced = true;
            continue;
          }
        }
        this.o.logger.error(
          { err, attempt, records: entries.length, retryInMs: delay },
          'storing activation records failed; retrying the batch',
        );
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.retryMaxMs);
      }
    }
  }

  /** Whether the store answers at all (a read of an id that never exists). */
  private async storeAnswers(): Promise<boolean> {
    try {
      await this.o.store.get('whirl.system', 'record-writer-probe');
      return true;
    } catch {
      return false;
    }
  }

  private wakeWriters(): void {
    const room = this.o.bufferMax - this.held;
    for (const w of this.spaceWaiters.splice(0, Math.max(0, room))) w.resolve();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.sleepers.delete(wake);
        t.cancel();
        resolve();
      };
      const t = this.o.clock.setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /**
   * Gives up on every record not stored yet (shutdown ran out of time): their writes reject with
   * WHIRL_STORE_UNAVAILABLE and their activation ids are logged. Idempotent.
   */
  abandon(why = `after ${this.closeTimeoutMs} ms`): void {
    if (this.gaveUp) return;
    this.closing ??= Promise.resolve();
    const inFlight = [...this.inFlight].flat().filter((e) => !e.stored);
    const lost = this.pending.length + inFlight.length + this.spaceWaiters.length;
    this.gaveUp = new WhirlError('WHIRL_STORE_UNAVAILABLE', [`gave up storing ${lost} activation records at shutdown ${why}`]);
    if (lost === 0) return;
    const ids = [...this.pending, ...inFlight].map((e) => `${e.record.namespace}/${e.record.activationId}`);
    this.o.logger.error(
      { records: lost, activations: ids.slice(0, 1000), waitingForRoom: this.spaceWaiters.length },
      'closing with activation records that could not be stored',
    );
    for (const e of [...this.pending, ...inFlight]) e.reject(this.gaveUp);
    this.held -= this.pending.length;
    this.pending = [];
    for (const w of this.spaceWaiters.splice(0)) w.reject(this.gaveUp);
    for (const wake of [...this.sleepers]) wake();
    this.timer?.cancel();
    this.timer = undefined;
  }
}

/** The record of an activation whose own record cannot be stored: the same activation, as a developer error. */
function unstorableRecord(r: ActivationRecord, err: unknown): ActivationRecord {
  const why = err instanceof Error ? err.message : String(err);
  const error = `The activation's record could not be stored (${why.slice(0, 200)}); its result and logs are dropped.`;
  return {
    namespace: r.namespace,
    name: r.name,
    version: r.version,
    subject: r.subject,
    activationId: r.activationId,
    start: r.start,
    end: r.end,
    duration: r.duration,
    response: makeResponse(StatusCode.DeveloperError, { error }),
    logs: [],
    annotations: r.annotations.filter((a) => typeof a.value !== 'object' || a.value === null || a.key === 'limits'),
    publish: r.publish,
    ...(r.cause !== undefined ? { cause: r.cause } : {}),
  };
}

/** A failure that belongs to the record, not the store: it cannot be serialised, or the store refused the document. */
function ownFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof RangeError || e instanceof TypeError) return true;
    const status = (e as { statusCode?: unknown }).statusCode;
    if (status === 400 || status === 413 || status === 415) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function newEntry(record: ActivationRecord): Entry {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const settled = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The caller of `write` receives a rejection; flush and close only observe it, so it is not "unhandled" here.
  settled.catch(() => {});
  const entry: Entry = {
    record,
    settled,
    resolve: () => {
      entry.stored = true;
      resolve();
    },
    reject,
  };
  return entry;
}
