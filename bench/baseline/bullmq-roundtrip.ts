import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, QueueEvents, Worker } from 'bullmq';

/**
 * The floor our BullMQ adapter is measured against: raw BullMQ with a no-op processor, nothing of Whirl's.
 *
 * - latency: `add` → `waitUntilFinished` (QueueEvents) of one job at a time on an otherwise idle queue, so each
 *   sample is one full round trip (producer → Redis → worker → Redis → event stream → producer);
 * - throughput: `n` no-op jobs added in bulk, timed from the first add to the worker's last completion, with the
 *   given worker concurrency and `removeOnComplete` (as production would run).
 *
 * Runs on a fresh, uniquely named queue and deletes it afterwards.
 */
export interface RoundTripOptions {
  redisUrl: string;
  /** Samples for the latency phase, and jobs for the throughput phase. */
  n: number;
  /** Worker concurrency. */
  concurrency: number;
  /**
   * Idle time before each latency sample (ms; default 0, back to back). Between a composition's steps Redis and the
   * worker sit idle for the length of the action, and waking an idle process costs more than a busy one on some
   * hosts (a virtual CPU that halted), so the per-step floor is the round trip measured after that idle time.
   */
  idleMs?: number;
}

export interface RoundTripResult {
  /** Milliseconds. */
  p50: number;
  /** Milliseconds. */
  p99: number;
  throughputPerSec: number;
}

const WARMUP = 20;
const BULK = 500;

export async function bullmqRoundTrip({ redisUrl, n, concurrency, idleMs = 0 }: RoundTripOptions): Promise<RoundTripResult> {
  const name = `whirl-bench-${randomUUID()}`;
  const queue = new Queue(name, { connection: { url: redisUrl } });
  const events = new QueueEvents(name, { connection: { url: redisUrl } });
  let completed = 0;
  let allDone: (() => void) | undefined;
  let target = Number.POSITIVE_INFINITY;
  const worker = new Worker(name, async () => {}, {
    connection: { url: redisUrl, maxRetriesPerRequest: null },
    concurrency,
  });
  worker.on('completed', () => {
    if (++completed === target) allDone?.();
  });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);

    // Latency. Completed jobs are kept in this phase: waitUntilFinished looks the job up, and a job removed on
    // completion before that lookup would make it throw.
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + n; i++) {
      if (idleMs > 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
      const t0 = performance.now();
      const job = await queue.add('noop', {});
      await job.waitUntilFinished(events);
      if (i >= WARMUP) samples.push(performance.now() - t0);
    }

    // Throughput.
    completed = 0;
    target = n;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const t0 = performance.now();
    for (let i = 0; i < n; i += BULK) {
      const size = Math.min(BULK, n - i);
      await queue.addBulk(
        Array.from({ length: size }, () => ({ name: 'noop', data: {}, opts: { removeOnComplete: true } })),
      );
    }
    await finished;
    const seconds = (performance.now() - t0) / 1000;

    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), throughputPerSec: n / seconds };
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}
