import type {
  DeliverMessage,
  MessageStreams,
  StopConsuming,
  StreamMessage,
  StreamSubscription,
} from '../../ports/message-streams.js';

/**
 * Streams in this process's memory, for the embedded default and tests: one instance shared by every consumer in
 * the process plays the role of Redis. Each subscription keeps a cursor (next index) and the messages handed out
 * but not yet acknowledged.
 */
export class MemoryMessageStreams implements MessageStreams {
  private readonly streams = new Map<string, StreamMessage[]>();
  private readonly subs = new Map<string, { sub: StreamSubscription; next: number; pending: Map<string, number> }>();
  private seq = 0;

  async subscribe(sub: StreamSubscription): Promise<void> {
    const existing = this.subs.get(sub.id);
    const sameStream = existing?.sub.stream === sub.stream;
    this.subs.set(sub.id, {
      sub: { ...sub },
      next: sameStream ? existing!.next : this.messages(sub.stream).length,
      pending: sameStream ? existing!.pending : new Map(),
    });
  }

  async unsubscribe(id: string): Promise<void> {
    this.subs.delete(id);
  }

  async get(id: string): Promise<StreamSubscription | undefined> {
    const s = this.subs.get(id);
    return s && { ...s.sub };
  }

  async setPaused(id: string, paused: boolean): Promise<void> {
    const s = this.subs.get(id);
    if (s) s.sub.paused = paused;
  }

  async append(stream: string, fields: Record<string, string>): Promise<string> {
    const id = `${Date.now()}-${this.seq++}`;
    this.messages(stream).push({ id, fields: { ...fields } });
    return id;
  }

  consume(deliver: DeliverMessage, options: { consumerId: string; pollMs: number; retryMs: number }): StopConsuming {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let pass: Promise<void> = Promise.resolve();
    const run = async () => {
      for (const [id, s] of [...this.subs]) {
        if (s.sub.paused || this.subs.get(id) !== s) continue;
        const now = Date.now();
        const due: StreamMessage[] = [];
        for (const [msgId, handedAt] of s.pending) {
          if (now - handedAt >= options.retryMs) due.push(this.messages(s.sub.stream).find((m) => m.id === msgId)!);
        }
        const fresh = this.messages(s.sub.stream).slice(s.next);
        s.next += fresh.length;
        const batch = [...due, ...fresh];
        // Marked as handed out before any await, so another consumer's pass does not take them too.
        for (const m of batch) s.pending.set(m.id, now);
        for (const m of batch) {
          try {
            await deliver({ ...s.sub }, m);
            s.pending.delete(m.id);
          } catch {
            /* stays pending: delivered again after retryMs */
          }
        }
      }
    };
    const loop = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        pass = run().finally(loop);
      }, options.pollMs);
      timer.unref?.();
    };
    loop();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await pass;
    };
  }

  async close(): Promise<void> {}

  private messages(stream: string): StreamMessage[] {
    let list = this.streams.get(stream);
    if (!list) this.streams.set(stream, (list = []));
    return list;
  }
}
