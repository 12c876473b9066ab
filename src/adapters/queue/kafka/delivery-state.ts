import { randomUUID } from 'node:crypto';
import { Consumer as KafkaClient, type MessagesStream } from '@platformatic/kafka';
import type { Logger } from '../../../ports/logger.js';
import { clientOptions, forceClose, type KafkaSettings } from './kafka-link.js';

/** Where a work record lives: its identity, whatever activation it carries. */
export interface RecordRef {
  topic: string;
  partition: number;
  offset: bigint;
}

export type MarkerState = 'started' | 'done';

export interface Marker extends RecordRef {
  state: MarkerState;
}

/** What to do with a work record, given what the markers say (pure). */
export type Verdict = 'first' | 'redelivered' | 'skip';

/**
 * - no marker: first delivery.
 * - `done`: finished by someone (a redelivery after its consumer died before committing the offset, or a duplicate
 *   publish): skip, never run or record twice.
 * - `started` for this very record: its consumer died mid-handler: redelivered.
 * - `started` for another record: a duplicate publish of an activation already running elsewhere: skip.
 */
export function verdictFor(marker: Marker | undefined, ref: RecordRef): Verdict {
  if (!marker) return 'first';
  if (marker.state === 'done') return 'skip';
  const same = marker.topic === ref.topic && marker.partition === ref.partition && marker.offset === ref.offset;
  return same ? 'redelivered' : 'skip';
}

export function encodeMarker(m: Marker): Buffer {
  return Buffer.from(JSON.stringify({ s: m.state, t: m.topic, p: m.partition, o: m.offset.toString() }));
}

export function decodeMarker(raw: Buffer): Marker | undefined {
  try {
    const v = JSON.parse(raw.toString('utf8')) as { s?: unknown; t?: unknown; p?: unknown; o?: unknown };
    if ((v.s !== 'started' && v.s !== 'done') || typeof v.t !== 'string' || typeof v.p !== 'number') return undefined;
    if (typeof v.o !== 'string') return undefined;
    return { state: v.s, topic: v.t, partition: v.p, offset: BigInt(v.o) };
  } catch {
    return undefined;
  }
}

/** Markers kept in memory at most; the oldest are forgotten first (a forgotten `done` only widens nothing). */
const MAX_MARKERS = 200_000;

/**
 * The delivery markers of every activation, as one process sees them: a tail of the state topic from its
 * beginning (it is compacted, and deleted after a week). Consumers write `started` before a handler runs and
 * `done` after it resolved, each acknowledged by Kafka before going on; a consumer that takes over a partition
 * first `catchUp()`s, so it has read every marker written before it got the partition, and then knows which of the
 * uncommitted records were started (redeliver, marked) or finished (skip) by the consumer that died.
 *
 * The reader is a consumer alone in a throwaway group (so it gets every partition and commits nothing).
 */
export class DeliveryState {
  private readonly markers = new Map<string, Marker>();
  /** Next offset to read, per state partition. */
  private readonly positions = new Map<number, bigint>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly client: KafkaClient<Buffer, Buffer, Buffer, Buffer>,
    private readonly stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
    private readonly topic: string,
  ) {}

  static async open(settings: KafkaSettings, logger: Logger): Promise<DeliveryState> {
    const client = new KafkaClient<Buffer, Buffer, Buffer, Buffer>({
      ...clientOptions(settings, 'state'),
      groupId: `${settings.topics.state}.reader.${randomUUID()}`,
      sessionTimeout: Math.max(settings.sessionTimeoutMs, 6000),
      heartbeatInterval: 1000,
      minBytes: 1, // answer as soon as a marker is appended (maxWaitTime only bounds an idle poll)
      maxWaitTime: 200,
    });
    try {
      const stream = await client.consume({
        topics: [settings.topics.state],
        mode: 'earliest',
        autocommit: false,
      });
      const state = new DeliveryState(client, stream, settings.topics.state);
      stream.on('data', (m) => state.apply(m.key, m.value, m.partition, m.offset));
      stream.on('error', (err: unknown) => logger.warn({ err: String(err) }, 'delivery state reader error'));
      return state;
    } catch (err) {
      await forceClose(client);
      throw err;
    }
  }

  get(activationId: string): Marker | undefined {
    return this.markers.get(activationId);
  }

  /** Records a marker this process just wrote (so it need not wait for the tail to see it). */
  remember(activationId: string, marker: Marker): void {
    this.set(activationId, marker);
  }

  /** Resolves once every marker written before this call has been read. */
  async catchUp(timeoutMs: number): Promise<void> {
    const ends = await this.client.listOffsets({ topics: [this.topic] });
    const targets = ends.get(this.topic) ?? [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = targets.some((end, p) => end > 0n && (this.positions.get(p) ?? 0n) < end);
      if (!behind) return;
      if (Date.now() > deadline) throw new Error('delivery state reader did not catch up in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stream.close().catch(() => {});
      await forceClose(this.client);
    })();
    return this.closing;
  }

  private apply(key: Buffer | undefined, value: Buffer | undefined, partition: number, offset: bigint): void {
    this.positions.set(partition, offset + 1n);
    if (!key || !value) return;
    const marker = decodeMarker(value);
    if (!marker) return;
    const id = key.toString('utf8');
    const current = this.markers.get(id);
    // A late `started` never overrides `done` (done is final).
    if (current?.state === 'done' && marker.state === 'started') return;
    this.set(id, marker);
  }

  private set(id: string, marker: Marker): void {
    this.markers.delete(id);
    this.markers.set(id, marker);
    if (this.markers.size > MAX_MARKERS) {
      const oldest = this.markers.keys().next().value;
      if (oldest !== undefined) this.markers.delete(oldest);
    }
  }
}
