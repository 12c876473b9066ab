import { describe, expect, it } from 'vitest';
import { MemoryActivationQueue } from '../../../src/adapters/queue/memory/memory-activation-queue.js';
import { MemoryInvokerRegistry } from '../../../src/adapters/registry/memory-invoker-registry.js';
import { adoptionChanges, InvokerPresence } from '../../../src/invoker/presence.js';
import { systemClock } from '../../../src/ports/clock.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { activationMessage, eventually, sleep } from '../../contract/activation-queue.support.js';

const inv = (id: string, ageMs: number) => ({ id, memoryMB: 1024, freeMB: 1024, ageMs });

describe('adoptionChanges', () => {
  it('adopts silent peers, never itself, and releases peers that are back or forgotten', () => {
    const invokers = [inv('me', 9000), inv('dead', 6000), inv('alive', 10), inv('back', 10)];
    expect(adoptionChanges('me', invokers, new Set(['back', 'forgotten']), 5000)).toEqual({
      adopt: ['dead'],
      release: ['back', 'forgotten'],
    });
  });
  it('keeps an adoption while the peer stays silent', () => {
    expect(adoptionChanges('me', [inv('dead', 60_000)], new Set(['dead']), 5000)).toEqual({ adopt: [], release: [] });
  });
});

describe('InvokerPresence with the in-memory queue and registry', () => {
  it('heartbeats, and finishes what was placed on a silent peer: never-started run, started ones redelivered', async () => {
    const queue = new MemoryActivationQueue({ logger: silentLogger });
    const registry = new MemoryInvokerRegistry({ clock: systemClock, forgetMs: 60_000 });
    // Peer "dead" took one placed activation and dies mid-handler; a second one waits, never started.
    const dead = await queue.consume(() => new Promise<void>(() => {}), { invokerId: 'dead', concurrency: 1 });
    await registry.heartbeat({ id: 'dead', memoryMB: 1024, freeMB: 1024 });
    const started = activationMessage();
    const waiting = activationMessage();
    await queue.publish(started, { invokerId: 'dead' });
    await queue.publish(waiting, { invokerId: 'dead' });
    await sleep(20);
    dead.crash();

    const seen: Array<{ id: string; redelivered: boolean }> = [];
    const presence = new InvokerPresence({
      id: 'alive',
      registry,
      queue,
      handler: async (msg, d) => void seen.push({ id: msg.activationId, redelivered: d.redelivered }),
      clock: systemClock,
      logger: silentLogger,
      memoryMB: 2048,
      freeMB: () => 1536,
      heartbeatMs: 20,
      deadMs: 150,
      adoptConcurrency: 2,
    });
    await presence.start();
    expect((await registry.list()).find((i) => i.id === 'alive')).toMatchObject({ memoryMB: 2048, freeMB: 1536 });
    await eventually('adoption', () => seen.length === 2, 3000);
    expect(presence.adopting()).toEqual(['dead']);
    expect(seen).toEqual(
      expect.arrayContaining([
        { id: started.activationId, redelivered: true },
        { id: waiting.activationId, redelivered: false },
      ]),
    );
    // The peer comes back: the adoption ends.
    await registry.heartbeat({ id: 'dead', memoryMB: 1024, freeMB: 1024 });
    await eventually('release', () => presence.adopting().length === 0, 3000);
    await presence.stop();
    await queue.close();
  });
});
