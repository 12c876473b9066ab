import type { Clock } from '../../ports/clock.js';
import type { InvokerLoad, InvokerRegistry, InvokerStatus } from '../../ports/invoker-registry.js';

/** The embedded default: the registry of one process (its own invoker, and any started in-process by tests). */
export class MemoryInvokerRegistry implements InvokerRegistry {
  private readonly entries = new Map<string, { load: InvokerLoad; at: number }>();

  constructor(private readonly options: { clock: Clock; forgetMs: number }) {}

  async heartbeat(status: InvokerLoad): Promise<void> {
    this.entries.set(status.id, { load: { ...status }, at: this.options.clock.now() });
  }

  async list(): Promise<InvokerStatus[]> {
    const now = this.options.clock.now();
    const out: InvokerStatus[] = [];
    for (const [id, e] of this.entries) {
      const ageMs = Math.max(0, now - e.at);
      if (ageMs >= this.options.forgetMs) this.entries.delete(id);
      else out.push({ ...e.load, ageMs });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async close(): Promise<void> {}
}
