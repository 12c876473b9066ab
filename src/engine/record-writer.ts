import type { ActivationRecord } from '../domain/activation.js';
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
  settled: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * Batches activation records into the ActivationStore.
 *
 * Contract: `write` resolves once its record is durably stored (callers acknowledge queue deliveries only then),
 * so a record is never dropped silently. Records go out in batches of at most `batchSize`, when a batch is full
 * or `batchDelayMs` after its first record, with at most `maxInFlightBatches` `putBatch` calls at once. A failed
 * batch is retried whole (the store is idempotent by activation id) with capped backoff, indefinitely: an outage
 * delays records, it does not lose them. Because the buffer is bounded, a long outage pushes back on writers
 * instead of growing memory. `close` stores everything held (including writes waiting for room), and only after
 * `closeTimeoutMs` gives up, rejecting what is left with WHIRL_STORE_UNAVAILABLE and logging how many.
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
    if (outcome === 'timeout') this.giveUp();
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
    let delay = this.retryMinMs;
    for (let attempt = 1; !this.gaveUp; attempt++) {
      try {
        await this.o.store.putBatch(batch.map((e) => e.record));
        for (const e of batch) e.resolve();
        break;
      } catch (err) {
        this.o.logger.error(
          { err, attempt, records: batch.length, retryInMs: delay },
          'storing activation records failed; retrying the batch',
        );
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.retryMaxMs);
      }
    }
    if (this.gaveUp) for (const e of batch) e.reject(this.gaveUp);
    this.inFlight.delete(batch);
    this.held -= batch.length;
    this.wakeWriters();
    this.pump();
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

  private giveUp(): void {
    const inFlight = [...this.inFlight].flat();
    const lost = this.pending.length + inFlight.length + this.spaceWaiters.length;
    this.gaveUp = new WhirlError('WHIRL_STORE_UNAVAILABLE', [
      `gave up storing ${lost} activation records at shutdown after ${this.closeTimeoutMs} ms`,
    ]);
    this.o.logger.error({ records: lost }, 'closing with activation records that could not be stored');
    for (const e of [...this.pending, ...inFlight]) e.reject(this.gaveUp);
    this.held -= this.pending.length;
    this.pending = [];
    for (const w of this.spaceWaiters.splice(0)) w.reject(this.gaveUp);
    for (const wake of [...this.sleepers]) wake();
    this.timer?.cancel();
    this.timer = undefined;
  }
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
  return { record, settled, resolve, reject };
}
