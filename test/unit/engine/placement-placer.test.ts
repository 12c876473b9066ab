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

  it('keeps completed activations at home, and forgets placements its next heartbeat covers', async () => {
    const registry = new MemoryInvokerRegistry({ clock, forgetMs: 60_000 });
    await registry.heartbeat({ id: 'inv-1', memoryMB: 512, freeMB: 512 });
    await registry.heartbeat({ id: 'inv-2', memoryMB: 512, freeMB: 512 });
    const placer = new InvokerPlacer({ registry, clock, logger: silentLogger, refreshMs: 1000, deadMs: 5000 });
    await placer.start();
    const home = placer.choose('guest', 'guest/one', 256, 'x0')!;
    placer.completed('x0');
    for (let i = 1; i < 50; i++) {
      expect(placer.choose('guest', 'guest/one', 256, `x${i}`)).toBe(home);
      placer.completed(`x${i}`);
    }
    // Two in flight fill the home; the third overflows. A later heartbeat of the home covers them.
    placer.choose('guest', 'guest/one', 256, 'y1');
    placer.choose('guest', 'guest/one', 256, 'y2');
    expect(placer.choose('guest', 'guest/one', 256, 'y3')).not.toBe(home);
    now += 10;
    await registry.heartbeat({ id: home, memoryMB: 512, freeMB: 512 });
    await placer.refresh();
    expect(placer.choose('guest', 'guest/one', 256, 'y4')).toBe(home);
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
