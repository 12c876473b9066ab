/** Largest group handed to `flush` at once (a bigger turn is split). */
const MAX_BATCH = 256;

interface Entry<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Group commit by event-loop turn: items submitted during one turn are handed to `flush` together, per key, when the
 * turn ends (`setImmediate`). Under load many activations are published, or completions sent, per turn, and one
 * Redis write then carries them all instead of one write (one syscall, one wake-up of Redis) each; an item that is
 * alone waits only for the end of the turn it was submitted in, microseconds. Each `submit` settles with its
 * group's flush.
 */
export class TurnBatch<K, T> {
  private pending = new Map<K, Entry<T>[]>();
  private scheduled = false;

  constructor(private readonly flush: (key: K, items: T[]) => Promise<void>) {}

  submit(key: K, item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let group = this.pending.get(key);
      if (!group) this.pending.set(key, (group = []));
      group.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    this.scheduled = false;
    const groups = this.pending;
    this.pending = new Map();
    for (const [key, entries] of groups) {
      for (let i = 0; i < entries.length; i += MAX_BATCH) {
        const part = entries.slice(i, i + MAX_BATCH);
        let sent: Promise<void>;
        try {
          sent = this.flush(key, part.map((e) => e.item));
        } catch (err) {
          sent = Promise.reject(err);
        }
        sent.then(
          () => part.forEach((e) => e.resolve()),
          (err: unknown) => part.forEach((e) => e.reject(err)),
        );
      }
    }
  }
}
