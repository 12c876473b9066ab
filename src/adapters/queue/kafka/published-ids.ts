/**
 * Activation ids this process has published (or is publishing): a second publish of the same id waits for the
 * first and does not write again. Bounded: the oldest ids are forgotten past `max` (an API process never
 * publishes an id twice far apart; the consumers' markers catch what this misses).
 */
export class PublishedIds {
  private readonly ids = new Map<string, Promise<void>>();

  constructor(private readonly max = 100_000) {}

  async once(id: string, publish: () => Promise<void>): Promise<void> {
    const pending = this.ids.get(id);
    if (pending) return pending;
    const attempt = publish();
    this.ids.set(id, attempt);
    try {
      await attempt;
    } catch (err) {
      this.ids.delete(id); // not accepted: a retry must write
      throw err;
    }
    if (this.ids.size > this.max) {
      const oldest = this.ids.keys().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}
