import { randomUUID } from 'node:crypto';
import { WhirlError } from '../../errors/whirl-error.js';
import type { Logger } from '../../ports/logger.js';
import type { InboxConsumeOptions, InboxConsumer, WebhookDelivery, WebhookInbox } from '../../ports/webhook-inbox.js';
import type { CouchOptions } from '../store/couchdb/couch-database.js';
import { coordinationDocs, type CouchDocs } from '../store/couchdb/couch-docs.js';

interface InboxDoc extends Record<string, unknown> {
  kind: 'webhook';
  state: 'pending' | 'done';
  /** Acceptance order (a per-process increasing stamp, epoch ms). */
  order: number;
  /** The replay key is remembered until then. */
  forgetAt: number;
  /** Held by `claimedBy` until then (0: free). */
  claimUntil: number;
  claimedBy?: string;
  delivery?: WebhookDelivery;
}

const POLL_MS = 100;
const BATCH = 20;
const PURGE_EVERY_MS = 60_000;

/**
 * The webhook inbox in CouchDB (`WHIRL_COORDINATION=store`: a Kafka deployment keeps the 2xx promise without
 * Redis). One document per replay key, `wh:<key>`, in the `<prefix>coordination` database: `accept` creates it
 * (a 409 or a live document is a replay), so the replay check and the append are one write, durable once CouchDB
 * answered. Consumers poll the pending view oldest first and claim a delivery with a revision-fenced update that
 * holds it for `claimAfterMs`; once handled it becomes `done` (delivery dropped) and is deleted when its replay
 * window ends. A claim that expires — a dead consumer — is taken by the next poll of any consumer.
 */
export class CouchWebhookInbox implements WebhookInbox {
  private readonly docs: CouchDocs;
  private readonly consumers = new Set<InboxConsumer>();
  private lastOrder = 0;

  constructor(private readonly options: CouchOptions & { logger: Logger }) {
    this.docs = coordinationDocs(options);
  }

  async accept(delivery: WebhookDelivery, replayKey: string, windowMs: number): Promise<'accepted' | 'replay'> {
    const now = Date.now();
    this.lastOrder = Math.max(now, this.lastOrder + 0.001);
    const doc: InboxDoc = {
      kind: 'webhook',
      state: 'pending',
      order: this.lastOrder,
      forgetAt: now + Math.max(1, windowMs),
      claimUntil: 0,
      delivery,
    };
    try {
      for (;;) {
        const current = await this.docs.get<InboxDoc>(docId(replayKey));
        if (current && current.forgetAt > Date.now()) return 'replay';
        // Past its window but not yet fired: it moves aside (an id derived from it, so a retry moves it once)
        // before the key takes the new delivery. Handled at least once, as the port promises.
        if (current?.state === 'pending') {
          const { _rev: _, _id: __, ...rest } = current as InboxDoc & { _id: string; _rev: string };
          await this.docs.create(`${docId(replayKey)}#${current.order}`, rest);
        }
        const won = await this.docs.update<InboxDoc, boolean>(docId(replayKey), (latest) =>
          (latest?._rev as string | undefined) === current?._rev ? { write: doc, result: true } : { result: false },
        );
        if (won) return 'accepted';
      }
    } catch (e) {
      throw unavailable(e);
    }
  }

  async pending(): Promise<number> {
    try {
      const db = await this.docs.db();
      const res = await db.view('whirl', 'webhook_pending', { reduce: true });
      return Number(res.rows[0]?.value ?? 0);
    } catch (e) {
      throw unavailable(e);
    }
  }

  async consume(handler: (d: WebhookDelivery) => Promise<void>, options: InboxConsumeOptions = {}): Promise<InboxConsumer> {
    const retryMs = options.retryMs ?? 5_000;
    const claimAfterMs = Math.min(options.claimAfterMs ?? 30_000, retryMs);
    const me = `c-${randomUUID().slice(0, 12)}`;
    const log = this.options.logger;
    let stopped = false;
    let wake: (() => void) | undefined;
    let purgedAt = 0;

    const handleOne = async (id: string): Promise<void> => {
      const claimed = await this.docs.update<InboxDoc, WebhookDelivery | undefined>(id, (doc) => {
        const now = Date.now();
        if (!doc || doc.state !== 'pending' || doc.claimUntil > now || !doc.delivery) return { result: undefined };
        return { write: { ...doc, claimUntil: now + claimAfterMs, claimedBy: me }, result: doc.delivery };
      });
      if (!claimed) return;
      let failed = false;
      try {
        await handler(claimed);
      } catch (err) {
        failed = true;
        log.warn({ err: String(err), id: claimed.id }, 'webhook delivery failed; will retry');
      }
      await this.docs.update<InboxDoc, void>(id, (doc) => {
        if (!doc || doc.state !== 'pending') return { result: undefined };
        if (!failed) {
          const { delivery: _, claimedBy: __, ...rest } = doc;
          return { write: { ...rest, state: 'done', claimUntil: 0 }, result: undefined };
        }
        // Only our own claim is shortened to the retry delay; a consumer that took it over keeps its own.
        if (doc.claimedBy !== me) return { result: undefined };
        return { write: { ...doc, claimUntil: Date.now() + retryMs }, result: undefined };
      });
    };

    const pass = async (): Promise<number> => {
      const db = await this.docs.db();
      const res = await db.view('whirl', 'webhook_pending', { reduce: false, limit: BATCH });
      let handled = 0;
      for (const row of res.rows) {
        if (stopped) break;
        await handleOne(row.id);
        handled += 1;
      }
      if (Date.now() - purgedAt > PURGE_EVERY_MS) {
        purgedAt = Date.now();
        const done = await db.view('whirl', 'webhook_done', { endkey: Date.now(), limit: 500 });
        const gone = await Promise.all(done.rows.map((r) => this.docs.get<InboxDoc>(r.id)));
        await this.docs.remove(gone.filter((d): d is InboxDoc & { _id: string; _rev: string } => d !== undefined && d.state === 'done'));
      }
      return handled;
    };

    const loop = (async () => {
      while (!stopped) {
        let busy = false;
        try {
          busy = (await pass()) >= BATCH;
        } catch (err) {
          if (stopped) break;
          log.warn({ err: String(err) }, 'webhook inbox read failed');
        }
        if (!busy && !stopped) {
          await new Promise<void>((r) => {
            const t = setTimeout(r, POLL_MS);
            wake = () => {
              clearTimeout(t);
              r();
            };
          });
        }
      }
    })();

    const consumer: InboxConsumer = {
      close: async () => {
        stopped = true;
        wake?.();
        await loop;
        this.consumers.delete(consumer);
      },
    };
    this.consumers.add(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.close()));
  }
}

function docId(replayKey: string): string {
  return `wh:${replayKey}`;
}

function unavailable(e: unknown): WhirlError {
  if (e instanceof WhirlError && e.code === 'WHIRL_UNAVAILABLE') return e;
  return new WhirlError('WHIRL_UNAVAILABLE', [`webhook inbox: ${e instanceof Error ? e.message : String(e)}`], { cause: e });
}
