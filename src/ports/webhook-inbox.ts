import type { Identity } from '../domain/identity.js';

/**
 * Where accepted webhook deliveries wait until their trigger is fired (issue 5, docs/webhooks.md). The HTTP
 * answer (202) is sent only after `accept` resolved, and a delivery leaves the inbox only once its handler
 * succeeded, so a delivery answered 2xx survives the API process stopping or crashing right after.
 *
 * Contract (test/contract/webhook-inbox.contract.ts, run against every adapter):
 * - `accept(d, replayKey, windowMs)` is atomic: if `replayKey` was accepted less than `windowMs` ago it resolves
 *   `'replay'` and stores nothing; otherwise it remembers the key and stores `d`, resolving `'accepted'` only once
 *   both are durable (as durable as the backend: Redis persistence, an fsync'd file). Outages reject with
 *   WHIRL_UNAVAILABLE, and then nothing was accepted.
 * - `consume(handler)` hands every stored delivery to a handler, oldest first, including deliveries stored before
 *   it started. A delivery is removed once its handler resolves. One whose handler rejects stays and is handed out
 *   again after `retryMs`. One held by a consumer that died (or closed mid-delivery) is handed to a live consumer
 *   after `claimAfterMs`. So every accepted delivery is handled at least once.
 * - `close()` of a consumer stops taking deliveries and waits for the one in hand.
 */
export interface WebhookInbox {
  accept(delivery: WebhookDelivery, replayKey: string, windowMs: number): Promise<'accepted' | 'replay'>;
  consume(handler: (d: WebhookDelivery) => Promise<void>, options?: InboxConsumeOptions): Promise<InboxConsumer>;
  /** Deliveries stored and not yet handled (tests, metrics). */
  pending(): Promise<number>;
  close(): Promise<void>;
}

export interface InboxConsumeOptions {
  /** Delay before a delivery whose handler rejected is tried again (ms). */
  retryMs?: number;
  /** How long a delivery may stay with an unresponsive consumer before another takes it over (ms). */
  claimAfterMs?: number;
}

export interface InboxConsumer {
  close(): Promise<void>;
}

export interface WebhookDelivery {
  /** Unique per accepted delivery (answered to the sender). */
  id: string;
  /** The trigger's owner, as resolved when the delivery was accepted. */
  identity: Identity;
  trigger: string;
  payload: Record<string, unknown>;
  /** Lower-cased request headers, forwarded to the rules' actions as `__ow_headers`. */
  headers: Record<string, string>;
  receivedAt: number;
  transactionId: string;
}
