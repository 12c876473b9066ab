import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActivationMessage, CompletionMessage } from '../../../domain/activation-message.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type {
  ActivationQueue,
  ConsumeOptions,
  Consumer,
  DeliveryHandler,
  PublishTarget,
  Subscription,
} from '../../../ports/activation-queue.js';
import type { Logger } from '../../../ports/logger.js';
import { AppendLog } from '../../store/file/append-log.js';
import { readLog, rewriteLog, shouldCompact } from '../../store/file/log-file.js';
import { MemoryActivationQueue } from '../memory/memory-activation-queue.js';

interface Live {
  msg: ActivationMessage;
  target: PublishTarget | undefined;
  /** A delivery began (the `s/` line is on disk): after a restart it is redelivered, not run again. */
  started: boolean;
}

/** Finished activation ids remembered, so publishing one again is a no-op (BullMQ keeps its last 10,000 too). */
const FINISHED_KEPT = 10_000;
/** The journal is rewritten once this many superseded lines outnumber the live ones (finished ids count as live). */
const COMPACT_AFTER = 20_000;

/**
 * The embedded default's activation queue, on disk: the in-process queue (delivery, placement, completions)
 * journaled to `<dataDir>/queue.log` — JSON lines with the file store's torn-tail repair, fsync'd with group
 * commit. `publish` resolves once `p/<id>` (the message) is on disk; a delivery's handler runs only once `s/<id>`
 * (started) is on disk; `p/<id>` is deleted once the handler settled (the invoker has stored the record by then).
 * After a crash, opening replays the journal: messages never started are delivered as new, started ones with
 * `redelivered: true` (the invoker records them as whisk internal errors, never runs them twice). So on
 * `npm start`'s defaults every activation answered 202 ends with exactly one record after a kill -9 and a restart.
 * One process only (the journal is its own); the log is compacted when finished lines dominate.
 */
export class FileActivationQueue implements ActivationQueue {
  private readonly inner: MemoryActivationQueue;
  private readonly live = new Map<string, Live>();
  /** Publishes whose journal line is being written: a concurrent duplicate waits for the same write. */
  private readonly publishing = new Map<string, Promise<void>>();
  private readonly finished = new Set<string>();
  private lines: number;
  private compacting: Promise<void> | undefined;
  /** Appends under way: compaction waits for them before it swaps the file. */
  private readonly appending = new Set<Promise<void>>();
  private closed = false;

  private constructor(
    private readonly path: string,
    private log: AppendLog,
    private readonly logger: Logger,
    restored: { live: Map<string, Live>; finished: string[]; lines: number },
  ) {
    this.inner = new MemoryActivationQueue({ logger });
    this.lines = restored.lines;
    for (const id of restored.finished) this.finished.add(id);
    for (const [id, entry] of restored.live) {
      this.live.set(id, entry);
      this.inner.enqueue(entry.msg, entry.target, entry.started);
    }
  }

  static async open(options: { dir: string; logger: Logger }): Promise<FileActivationQueue> {
    await mkdir(options.dir, { recursive: true });
    const path = join(options.dir, 'queue.log');
    const live = new Map<string, Live>();
    const finished = new Set<string>();
    await readLog(path, (line) => {
      const id = line._id.slice(2);
      if (line._id.startsWith('f/')) finished.add(id);
      else if (line._id.startsWith('p/')) {
        if (line._deleted) {
          live.delete(id);
          finished.add(id);
        } else live.set(id, { msg: line.msg as ActivationMessage, target: line.target as PublishTarget | undefined, started: false });
      } else if (line._id.startsWith('s/')) {
        const entry = live.get(id);
        if (entry) entry.started = true;
      }
    });
    const recent = [...finished].slice(-FINISHED_KEPT);
    // Start from a compact journal: what is still queued, and the ids recently finished.
    await rewriteLog(path, journalOf(live, recent));
    const log = await AppendLog.open(path);
    const queue = new FileActivationQueue(path, log, options.logger, { live, finished: recent, lines: live.size + recent.length });
    if (live.size > 0) options.logger.info({ activations: live.size }, 'activation queue restored from its journal');
    return queue;
  }

  async publish(msg: ActivationMessage, target?: PublishTarget): Promise<void> {
    if (this.closed) throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', ['queue is closed']);
    const id = msg.activationId;
    const inProgress = this.publishing.get(id);
    if (inProgress) return inProgress;
    if (this.live.has(id) || this.finished.has(id)) return;
    const write = (async () => {
      try {
        await this.append(`${JSON.stringify({ _id: `p/${id}`, _rev: '1', msg, ...(target ? { target } : {}) })}\n`);
      } catch (e) {
        throw new WhirlError('WHIRL_QUEUE_UNAVAILABLE', [`activation queue journal: ${(e as Error).message}`], { cause: e });
      }
      this.live.set(id, { msg, target, started: false });
      this.inner.enqueue(msg, target, false);
    })().finally(() => this.publishing.delete(id));
    this.publishing.set(id, write);
    return write;
  }

  consume(handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    return this.inner.consume(async (msg, delivery) => {
      const id = msg.activationId;
      const entry = this.live.get(id);
      if (entry && !entry.started) {
        entry.started = true;
        // At most once: the handler runs only once a restart would know it may have run.
        await this.append(`${JSON.stringify({ _id: `s/${id}`, _rev: '1' })}\n`).catch((err: unknown) =>
          this.logger.error({ err: String(err), activationId: id }, 'activation queue journal: started mark not written'),
        );
      }
      try {
        await handler(msg, delivery);
      } finally {
        this.finish(id);
      }
    }, options);
  }

  publishCompletion(replyTo: string, completion: CompletionMessage): Promise<void> {
    return this.inner.publishCompletion(replyTo, completion);
  }

  subscribeCompletions(instanceId: string, listener: (c: CompletionMessage) => void): Promise<Subscription> {
    return this.inner.subscribeCompletions(instanceId, listener);
  }

  depth(): Promise<number> {
    return this.inner.depth();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.inner.close();
    await this.compacting;
    await this.log.close();
  }

  /** The handler settled: the message leaves the journal (not awaited: a lost line only means a redelivery). */
  private finish(id: string): void {
    if (!this.live.delete(id)) return;
    this.finished.add(id);
    if (this.finished.size > FINISHED_KEPT) this.finished.delete(this.finished.values().next().value!);
    this.append(`${JSON.stringify({ _id: `p/${id}`, _rev: '2', _deleted: true })}\n`).catch((err: unknown) =>
      this.logger.warn({ err: String(err), activationId: id }, 'activation queue journal: finish not written'),
    );
    if (!this.compacting && !this.closed && shouldCompact(this.lines, this.live.size + this.finished.size, COMPACT_AFTER)) {
      this.compacting = this.compact().finally(() => (this.compacting = undefined));
    }
  }

  private async append(text: string): Promise<void> {
    while (this.compacting) await this.compacting;
    this.lines += 1;
    const write = this.log.append(text);
    this.appending.add(write);
    try {
      await write;
    } finally {
      this.appending.delete(write);
    }
  }

  /** Rewrites the journal with what is still queued, appends waiting meanwhile. */
  private async compact(): Promise<void> {
    try {
      await Promise.allSettled([...this.appending]);
      await this.log.close();
      await rewriteLog(this.path, journalOf(this.live, this.finished));
      this.log = await AppendLog.open(this.path);
      this.lines = this.live.size * 2 + this.finished.size;
    } catch (err) {
      this.logger.error({ err: String(err) }, 'activation queue journal compaction failed');
      this.log = await AppendLog.open(this.path);
    }
  }
}

function* journalOf(live: Map<string, Live>, finished: Iterable<string>): Iterable<string> {
  for (const id of finished) yield JSON.stringify({ _id: `f/${id}`, _rev: '1' });
  for (const [id, e] of live) {
    yield JSON.stringify({ _id: `p/${id}`, _rev: '1', msg: e.msg, ...(e.target ? { target: e.target } : {}) });
    if (e.started) yield JSON.stringify({ _id: `s/${id}`, _rev: '1' });
  }
}
