import { describe, expect, it } from 'vitest';
import { MemoryActivationStore } from '../../src/adapters/store/memory/index.js';
import type { ActivationRecord } from '../../src/domain/activation.js';
import { RecordWriter, type RecordWriterOptions } from '../../src/engine/record-writer.js';
import { WhirlError, isWhirlError } from '../../src/errors/whirl-error.js';
import type { ActivationStore } from '../../src/ports/activation-store.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import { testRecord } from '../contract/activation-store.contract.js';
import { uniqueNamespace } from '../contract/entity-store.contract.js';

/** A clock that only moves when told; `advance` fires due timers in time order. */
class FakeClock implements Clock {
  private t = 0;
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  readonly delays: number[] = [];
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    this.delays.push(ms);
    return { cancel: () => void (timer.live = false) };
  }
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      await settle();
      const next = this.timers.filter((x) => x.live && x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.t = next.at;
      next.live = false;
      next.fn();
    }
    this.t = until;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

function recordingLogger(): Logger & { errors: Array<{ fields: object; msg?: string }> } {
  const errors: Array<{ fields: object; msg?: string }> = [];
  const logger = {
    errors,
    debug() {},
    info() {},
    warn() {},
    error(fields: object, msg?: string) {
      errors.push({ fields, msg });
    },
    child: () => logger,
  };
  return logger;
}

/** The memory store, with every putBatch call recorded and optionally held or failed by the test. */
class ScriptedStore implements ActivationStore {
  readonly inner = new MemoryActivationStore();
  readonly batches: number[] = [];
  outstanding = 0;
  maxOutstanding = 0;
  failuresLeft = 0;
  hold = false;
  private releases: Array<() => void> = [];

  async putBatch(records: readonly ActivationRecord[]): Promise<void> {
    this.batches.push(records.length);
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    try {
      if (this.hold) await new Promise<void>((r) => this.releases.push(r));
      if (this.failuresLeft > 0) {
        this.failuresLeft--;
        throw new WhirlError('WHIRL_STORE_UNAVAILABLE', ['scripted outage']);
      }
      await this.inner.putBatch(records);
    } finally {
      this.outstanding--;
    }
  }
  release(): void {
    this.hold = false;
    for (const r of this.releases.splice(0)) r();
  }
  /** Reads fail during an outage too (the writer's probe tells an outage from a bad record by them). */
  get: ActivationStore['get'] = async (ns, id) => {
    if (this.failuresLeft > 0) throw new WhirlError('WHIRL_STORE_UNAVAILABLE', ['scripted outage']);
    return this.inner.get(ns, id);
  };
  list = this.inner.list.bind(this.inner);
  count = this.inner.count.bind(this.inner);
  close = this.inner.close.bind(this.inner);
}

function setup(overrides: Partial<RecordWriterOptions> = {}) {
  const store = new ScriptedStore();
  const clock = new FakeClock();
  const logger = recordingLogger();
  const writer = new RecordWriter({ store, clock, logger, batchSize: 3, batchDelayMs: 100, bufferMax: 100, ...overrides });
  return { store, clock, logger, writer };
}

/** Tracks a promise's state without awaiting it. */
function track(p: Promise<unknown>) {
  const state = { settled: false, error: undefined as unknown };
  p.then(
    () => void (state.settled = true),
    (e: unknown) => {
      state.settled = true;
      state.error = e;
    },
  );
  return state;
}

describe('RecordWriter', () => {
  it('sends full batches at once and the remainder after batchDelayMs', async () => {
    const { store, clock, writer } = setup();
    const ns = uniqueNamespace();
    const writes = Array.from({ length: 7 }, (_, i) => track(writer.write(testRecord(ns, { start: i }))));
    await settle();
    expect(store.batches).toEqual([3, 3]);
    expect(writes.map((w) => w.settled)).toEqual([true, true, true, true, true, true, false]);
    await clock.advance(99);
    expect(store.batches).toEqual([3, 3]);
    await clock.advance(1);
    expect(store.batches).toEqual([3, 3, 1]);
    expect(writes.every((w) => w.settled && w.error === undefined)).toBe(true);
    expect(await store.count(ns, {})).toBe(7);
  });

  it('a lone record waits batchDelayMs, and write resolves only once it is stored', async () => {
    const { store, clock, writer } = setup();
    const ns = uniqueNamespace();
    const r = testRecord(ns);
    const w = track(writer.write(r));
    await clock.advance(50);
    expect(w.settled).toBe(false);
    expect(await store.get(ns, r.activationId)).toBeUndefined();
    store.hold = true;
    await clock.advance(50);
    expect(store.batches).toEqual([1]);
    expect(w.settled).toBe(false);
    store.release();
    await settle();
    expect(w).toEqual({ settled: true, error: undefined });
    expect(await store.get(ns, r.activationId)).toEqual(r);
  });

  it('keeps at most maxInFlightBatches putBatch calls at once', async () => {
    const { store, writer } = setup({ batchSize: 1, maxInFlightBatches: 4 });
    store.hold = true;
    const ns = uniqueNamespace();
    const writes = Array.from({ length: 10 }, () => writer.write(testRecord(ns)));
    await settle();
    expect(store.outstanding).toBe(4);
    store.release();
    // Later batches are held too until released; release until all are through.
    for (let i = 0; i < 10 && store.batches.length < 10; i++) {
      store.hold = true;
      await settle();
      store.release();
    }
    await Promise.all(writes);
    expect(store.maxOutstanding).toBe(4);
    expect(await store.count(ns, {})).toBe(10);
  });

  it('retries a failed batch with capped exponential backoff, logging each failure, until it is stored', async () => {
    const { store, clock, logger, writer } = setup({ batchSize: 2, retryMinMs: 50, retryMaxMs: 150 });
    store.failuresLeft = 4;
    const ns = uniqueNamespace();
    const records = [testRecord(ns), testRecord(ns)];
    const writes = records.map((r) => track(writer.write(r)));
    await settle();
    expect(store.batches).toEqual([2]);
    await clock.advance(49);
    expect(store.batches).toHaveLength(1);
    await clock.advance(1 + 100 + 150 + 150);
    expect(store.batches).toEqual([2, 2, 2, 2, 2]);
    expect(writes.every((w) => w.settled && w.error === undefined)).toBe(true);
    expect(clock.delays).toEqual([100, 50, 100, 150, 150]); // the batch-delay timer, then the backoff
    expect(logger.errors).toHaveLength(4);
    expect(logger.errors.every((e) => isWhirlError((e.fields as { err: unknown }).err, 'WHIRL_STORE_UNAVAILABLE'))).toBe(true);
    for (const r of records) expect(await store.get(ns, r.activationId)).toEqual(r);
  });

  it('pushes back when bufferMax records are held, and loses none once the store catches up', async () => {
    const { store, writer } = setup({ batchSize: 2, bufferMax: 4, maxInFlightBatches: 1 });
    store.hold = true;
    const ns = uniqueNamespace();
    const writes = Array.from({ length: 9 }, (_, i) => track(writer.write(testRecord(ns, { start: i }))));
    await settle();
    expect(writer.buffered).toBe(4);
    expect(store.batches).toEqual([2]);
    store.release();
    await writer.flush();
    expect(writes.every((w) => w.settled && w.error === undefined)).toBe(true);
    expect(await store.count(ns, {})).toBe(9);
    expect(Math.max(...store.batches)).toBeLessThanOrEqual(2);
    expect(writer.buffered).toBe(0);
  });

  it('flush sends a partial batch without waiting for the delay', async () => {
    const { store, writer } = setup({ batchDelayMs: 60_000 });
    const ns = uniqueNamespace();
    const w = writer.write(testRecord(ns));
    await writer.flush();
    await w;
    expect(store.batches).toEqual([1]);
  });

  it('close stores everything held, including writes waiting for room, then refuses new writes', async () => {
    const { store, writer } = setup({ batchSize: 2, bufferMax: 2, maxInFlightBatches: 1, batchDelayMs: 60_000 });
    store.hold = true;
    const ns = uniqueNamespace();
    const writes = Array.from({ length: 5 }, () => track(writer.write(testRecord(ns))));
    await settle();
    const closed = writer.close();
    store.release();
    for (let i = 0; i < 10 && store.batches.length < 3; i++) await settle();
    await closed;
    expect(writes.every((w) => w.settled && w.error === undefined)).toBe(true);
    expect(await store.count(ns, {})).toBe(5);
    const late = await writer.write(testRecord(ns)).catch((e: unknown) => e);
    expect(isWhirlError(late, 'WHIRL_UNAVAILABLE')).toBe(true);
  });

  it('close gives up after closeTimeoutMs on a store that stays down: writes reject, the loss is logged', async () => {
    const { store, clock, logger, writer } = setup({ batchSize: 2, closeTimeoutMs: 1000, retryMinMs: 50, retryMaxMs: 200 });
    store.failuresLeft = Number.POSITIVE_INFINITY;
    const ns = uniqueNamespace();
    const writes = Array.from({ length: 3 }, () => track(writer.write(testRecord(ns))));
    const closed = track(writer.close());
    await clock.advance(999);
    expect(closed.settled).toBe(false);
    expect(writes.some((w) => w.settled)).toBe(false);
    await clock.advance(1);
    expect(closed).toEqual({ settled: true, error: undefined });
    expect(writes.every((w) => isWhirlError(w.error, 'WHIRL_STORE_UNAVAILABLE'))).toBe(true);
    expect(logger.errors.at(-1)?.fields).toMatchObject({ records: 3 });
    expect((logger.errors.at(-1)?.fields as { activations: string[] }).activations).toHaveLength(3);
    expect(logger.errors.length).toBeGreaterThan(3);
  });
});

describe('RecordWriter and a record that cannot be stored', () => {
  /** The memory store, refusing any batch that holds a record marked poison, as a serialiser overflowing would. */
  class PoisonRefusingStore extends ScriptedStore {
    override async putBatch(records: readonly ActivationRecord[]): Promise<void> {
      this.batches.push(records.length);
      if (records.some((r) => (r.response.result as { poison?: boolean } | undefined)?.poison === true)) {
        throw new RangeError('Maximum call stack size exceeded');
      }
      await this.inner.putBatch(records);
    }
  }

  it('splits the batch around it, stores every other record, and stores its own error record in its place', async () => {
    const store = new PoisonRefusingStore();
    const clock = new FakeClock();
    const logger = recordingLogger();
    const writer = new RecordWriter({ store, clock, logger, batchSize: 8, batchDelayMs: 10, bufferMax: 100, maxInFlightBatches: 1 });
    const mine = uniqueNamespace();
    const theirs = uniqueNamespace();
    const poison = { ...testRecord(mine), response: { statusCode: 0 as const, result: { poison: true } } };
    const others = [...Array.from({ length: 4 }, () => testRecord(theirs)), ...Array.from({ length: 3 }, () => testRecord(mine))];
    const writes = [poison, ...others].map((r) => track(writer.write(r)));
    await clock.advance(10);
    expect(writes.every((w) => w.settled && w.error === undefined)).toBe(true);
    for (const r of others) expect(await store.get(r.namespace, r.activationId)).toEqual(r);
    const replaced = await store.get(mine, poison.activationId);
    expect(replaced?.response.statusCode).toBe(2);
    expect((replaced?.response.result as { error: string }).error).toMatch(/could not be stored \(Maximum call stack/);
    // Halving: 8 → 4+4 → 2+2 → 1+1, and the error record: a handful of writes, not one per record.
    expect(store.batches.length).toBeLessThanOrEqual(8);
    // The next batches are not held back.
    const later = testRecord(theirs);
    const w = track(writer.write(later));
    await clock.advance(10);
    expect(w).toEqual({ settled: true, error: undefined });
  });

  it('abandon rejects what is left and logs the activation ids', async () => {
    const { store, logger, writer } = setup({ batchSize: 2 });
    store.failuresLeft = Number.POSITIVE_INFINITY;
    const ns = uniqueNamespace();
    const records = [testRecord(ns), testRecord(ns)];
    const writes = records.map((r) => track(writer.write(r)));
    await settle();
    writer.abandon('at the bound');
    await settle();
    expect(writes.every((x) => isWhirlError(x.error, 'WHIRL_STORE_UNAVAILABLE'))).toBe(true);
    const fields = logger.errors.at(-1)?.fields as { activations: string[] };
    expect(fields.activations.sort()).toEqual(records.map((r) => `${ns}/${r.activationId}`).sort());
  });
});
