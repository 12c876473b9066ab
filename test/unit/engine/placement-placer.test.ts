import { describe, expect, it } from 'vitest';
import { MemoryInvokerRegistry } from '../../../src/adapters/registry/memory-invoker-registry.js';
import { InvokerPlacer } from '../../../src/engine/invoker-placer.js';
import { silentLogger } from '../../../src/ports/logger.js';

describe('InvokerPlacer', () => {
  let now = 0;
  const clock = { now: () => now, setTimeout: () => ({ cancel() {} }) };

  it('places on invokers that joined after it started, once it re-reads the registry', async () => {
    const registry = new MemoryInvokerRegistry({ clock, forgetMs: 60_000 });
    const placer = new InvokerPlacer({ registry, clock, logger: silentLogger, refreshMs: 1000, deadMs: 5000 });
    await placer.start();
    expect(placer.choose('guest', 'guest/a', 256)).toBeUndefined(); // nobody yet: the shared queue
    await registry.heartbeat({ id: 'inv-1', memoryMB: 1024, freeMB: 1024 });
    await placer.refresh();
    expect(placer.choose('guest', 'guest/a', 256)).toBe('inv-1');
    placer.stop();
  });

  it('counts what it placed since the last read, spreading a burst beyond a full home', async () => {
    const registry = new MemoryInvokerRegistry({ clock, forgetMs: 60_000 });
    await registry.heartbeat({ id: 'inv-1', memoryMB: 512, freeMB: 512 });
    await registry.heartbeat({ id: 'inv-2', memoryMB: 512, freeMB: 512 });
    const placer = new InvokerPlacer({ registry, clock, logger: silentLogger, refreshMs: 1000, deadMs: 5000 });
    await placer.start();
    const burst = Array.from({ length: 4 }, () => placer.choose('guest', 'guest/one', 256));
    expect(new Set(burst)).toEqual(new Set(['inv-1', 'inv-2']));
    placer.stop();
  });

  it('stops placing on an invoker that stopped heartbeating', async () => {
    const registry = new MemoryInvokerRegistry({ clock, forgetMs: 60_000 });
    await registry.heartbeat({ id: 'inv-1', memoryMB: 1024, freeMB: 1024 });
    await registry.heartbeat({ id: 'inv-2', memoryMB: 1024, freeMB: 1024 });
    const placer = new InvokerPlacer({ registry, clock, logger: silentLogger, refreshMs: 1000, deadMs: 5000 });
    now += 6000;
    await registry.heartbeat({ id: 'inv-2', memoryMB: 1024, freeMB: 1024 });
    await placer.start();
    for (let i = 0; i < 20; i++) expect(placer.choose('guest', `guest/a${i}`, 256)).toBe('inv-2');
    placer.stop();
  });
});
