import type { InboxConsumeOptions, InboxConsumer, WebhookDelivery, WebhookInbox } from '../../ports/webhook-inbox.js';

/**
 * Makes an in-memory inbox durable: `accepted` resolves once the delivery and its replay key are on disk,
 * `handled` once its removal is (the file inbox's log).
 */
export interface InboxJournal {
  accepted(delivery: WebhookDelivery, replayKey: string, until: number): Promise<void>;
  handled(id: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * An inbox in this process's memory. Alone (the in-memory store: tests, throwaway runs) deliveries survive
 * nothing but a graceful stop; with a journal (FileWebhookInbox) they survive restarts and crashes too.
 */
export class MemoryWebhookInbox implements WebhookInbox {
  private readonly queue: Array<{ delivery: WebhookDelivery; notBefore: number }> = [];
  private readonly seen = new Map<string, number>();
  private readonly wakeups = new Set<() => void>();

  constructor(
    private readonly options: {
      now?: () => number;
      journal?: InboxJournal;
      /** Deliveries and replay keys recovered from the journal. */
      restored?: { deliveries: WebhookDelivery[]; seen: Map<string, number> };
    } = {},
  ) {
    for (const delivery of options.restored?.deliveries ?? []) this.queue.push({ delivery, notBefore: 0 });
    for (const [k, until] of options.restored?.seen ?? []) this.seen.set(k, until);
  }

  async accept(delivery: WebhookDelivery, replayKey: string, windowMs: number): Promise<'accepted' | 'replay'> {
    const at = (this.options.now ?? Date.now)();
    const seenUntil = this.seen.get(replayKey);
    if (seenUntil !== undefined && seenUntil > at) return 'replay';
    // Claimed before the journal write, so a concurrent accept of the same key is a replay.
    this.seen.set(replayKey, at + windowMs);
    try {
      await this.options.journal?.accepted(delivery, replayKey, at + windowMs);
    } catch (e) {
      this.seen.delete(replayKey);
      throw e;
    }
    if (this.seen.size > 100_000) for (const [k, until] of this.seen) if (until <= at) this.seen.delete(k);
    this.queue.push({ delivery: structuredClone(delivery), notBefore: 0 });
    for (const wake of this.wakeups) wake();
    return 'accepted';
  }

  async consume(handler: (d: WebhookDelivery) => Promise<void>, options: InboxConsumeOptions = {}): Promise<InboxConsumer> {
    const retryMs = options.retryMs ?? 5_000;
    let stopped = false;
    let wake: () => void = () => {};
    const loop = (async () => {
      while (!stopped) {
        const at = Date.now();
        const index = this.queue.findIndex((e) => e.notBefore <= at);
        if (index < 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            this.wakeups.add(resolve);
            setTimeout(resolve, 100).unref();
          });
          this.wakeups.delete(wake);
          continue;
        }
        const [entry] = this.queue.splice(index, 1);
        if (!entry) continue;
        try {
          await handler(structuredClone(entry.delivery));
          await this.options.journal?.handled(entry.delivery.id);
        } catch {
          this.queue.push({ delivery: entry.delivery, notBefore: Date.now() + retryMs });
        }
      }
    })();
    return {
      close: async () => {
        stopped = true;
        wake();
        await loop;
      },
    };
  }

  async pending(): Promise<number> {
    return this.queue.length;
  }

  async close(): Promise<void> {
    await this.options.journal?.close();
  }
}
