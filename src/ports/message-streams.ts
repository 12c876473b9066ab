/**
 * Message streams that fire triggers (the built-in `/whisk.system/messaging/redisStream` feed): subscriptions are
 * shared by every API process, and each message of a subscribed stream is handed to exactly one process.
 *
 * Contract (test/contract/message-streams.contract.ts):
 * - `subscribe` registers (or replaces) a subscription and starts it at the stream's current end: messages
 *   appended after `subscribe` resolves are delivered, earlier ones are not.
 * - While `consume` runs (in any number of processes sharing the backend), each message appended to a subscribed,
 *   unpaused stream is passed to one `deliver` call per subscription, in stream order per consumer. A message is
 *   acknowledged when `deliver` resolves; if `deliver` rejects it stays pending and is delivered again
 *   (at least once) after `retryMs`.
 * - `unsubscribe` stops deliveries for that subscription; paused subscriptions keep their position and resume
 *   where they stopped.
 */
export interface MessageStreams {
  subscribe(sub: StreamSubscription): Promise<void>;
  unsubscribe(id: string): Promise<void>;
  get(id: string): Promise<StreamSubscription | undefined>;
  setPaused(id: string, paused: boolean): Promise<void>;
  /** Appends a message (for producers without a Redis client, and tests); returns its id. */
  append(stream: string, fields: Record<string, string>): Promise<string>;
  /** Starts consuming in this process until the returned stop is called. */
  consume(deliver: DeliverMessage, options: { consumerId: string; pollMs: number; retryMs: number }): StopConsuming;
  close(): Promise<void>;
}

export interface StreamSubscription {
  /** `namespace/trigger`. */
  id: string;
  namespace: string;
  trigger: string;
  subject: string;
  uuid: string;
  stream: string;
  paused: boolean;
}

export interface StreamMessage {
  id: string;
  fields: Record<string, string>;
}

export type DeliverMessage = (sub: StreamSubscription, message: StreamMessage) => Promise<void>;

export type StopConsuming = () => Promise<void>;
