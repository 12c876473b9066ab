import { describe, expect, it } from 'vitest';
import { ContainerPool } from '../../../src/invoker/container-pool.js';
import type { Container, ContainerFactory, ContainerSpec } from '../../../src/ports/container-factory.js';
import { silentLogger } from '../../../src/ports/logger.js';

/** A clock whose timers fire only when the test advances it. */
function fakeClock() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number) {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return { cancel: () => void (t.live = false) };
    },
    async advance(ms: number) {
      now += ms;
      for (const t of timers.filter((t) => t.live && t.at <= now)) {
        t.live = false;
        t.fn();
      }
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

function fakeFactory() {
  const created: Array<ContainerSpec & { events: string[] }> = [];
  const factory: ContainerFactory = {
    async create(spec) {
      const events: string[] = [];
      created.push({ ...spec, events });
      const c: Container = {
        id: spec.name,
        name: spec.name,
        init: async () => ({ kind: 'response', statusCode: 200, body: '{}', durationMs: 1 }),
        run: async () => ({ kind: 'response', statusCode: 200, body: '{}', durationMs: 1 }),
        collectLogs: async () => ({ lines: [], truncated: false }),
        pause: async () => void events.push('pause'),
        resume: async () => void events.push('resume'),
        oomKilled: async () => false,
        destroy: async () => void events.push('destroy'),
      };
      return c;
    },
    cleanup: async () => {},
    close: async () => {},
  };
  return { factory, created };
}

const spec = (over: Partial<ContainerSpec> = {}) => ({
  image: 'img',
  kind: 'nodejs:20',
  memoryMB: 256,
  env: {},
  network: true,
  concurrency: 1,
  ...over,
});
const flush = () => new Promise((r) => setTimeout(r, 0));

function pool(over: { prewarmCount?: number; budgetMB?: number; pauseGraceMs?: number } = {}) {
  const clock = fakeClock();
  const { factory, created } = fakeFactory();
  const p = new ContainerPool({
    factory,
    clock,
    logger: silentLogger,
    budgetMB: over.budgetMB ?? 1024,
    idleMs: 600_000,
    namePrefix: 'whirl-t-',
    prewarm: [{ kind: 'nodejs:20', image: 'img', memoryMB: 256, count: over.prewarmCount ?? 0 }],
    ...(over.pauseGraceMs !== undefined ? { pauseGraceMs: over.pauseGraceMs } : {}),
  });
  return { p, clock, created };
}

describe('ContainerPool prewarm', () => {
  it('starts the configured stem cells, serves a new action from one, and replenishes it', async () => {
    const { p, created } = pool({ prewarmCount: 2 });
    p.start();
    await flush();
    expect(created).toHaveLength(2);
    expect(p.stats().prewarmed).toBe(2);
    const lease = await p.acquire('guest|ns/a@1', spec());
    expect(lease.cold).toBe(true); // still needs /init
    // It got one of the stem cells: no container was created for it.
    expect(created.slice(0, 2).map((c) => c.name)).toContain(lease.container.name);
    expect(p.stats().counters.created).toBe(0);
    await flush();
    expect(created).toHaveLength(3); // the stem cell taken is replaced
    expect(p.stats().prewarmed).toBe(2);
    expect(p.stats().counters.prewarmed).toBe(1);
  });

  it('does not use stem cells for another memory size, network off or concurrency > 1', async () => {
    const { p, created } = pool({ prewarmCount: 1 });
    p.start();
    await flush();
    for (const s of [spec({ memoryMB: 512 }), spec({ network: false }), spec({ concurrency: 4 })]) {
      const lease = await p.acquire(`k${s.memoryMB}${s.network}${s.concurrency}`, s);
      expect(lease.entry.stem).toBeFalsy();
    }
    expect(p.stats().counters.prewarmed).toBe(0);
    expect(created.filter((c) => c.name).length).toBe(4);
  });

  it('starts stem cells only into free memory and lets actions evict them', async () => {
    const { p, created } = pool({ prewarmCount: 2, budgetMB: 512 });
    p.start();
    await flush();
    expect(p.stats().prewarmed).toBe(2);
    const big = await p.acquire('k-big', spec({ memoryMB: 512 }));
    expect(big.cold).toBe(true);
    expect(p.stats().memoryMB).toBeLessThanOrEqual(512);
    await flush();
    expect(p.stats().prewarmed).toBe(0); // no room until the action's container goes
    expect(created.filter((c) => c.events.includes('destroy'))).toHaveLength(2);
  });
});

describe('ContainerPool pause', () => {
  it('pauses an idle container only after the grace period and resumes it on reuse', async () => {
    const { p, clock, created } = pool({ pauseGraceMs: 1000 });
    const lease = await p.acquire('k', spec());
    p.markInitialized(lease.entry);
    p.release(lease, false);
    await clock.advance(999);
    expect(created[0]!.events).toEqual([]);
    const again = await p.acquire('k', spec()); // within the grace: no pause, no resume
    expect(again.cold).toBe(false);
    p.release(again, false);
    await clock.advance(1000);
    await flush();
    expect(created[0]!.events).toEqual(['pause']);
    expect(p.stats().paused).toBe(1);
    const third = await p.acquire('k', spec());
    expect(third.entry).toBe(lease.entry);
    expect(created[0]!.events).toEqual(['pause', 'resume']);
    expect(p.stats().counters).toMatchObject({ paused: 1, resumed: 1 });
  });

  it('never pauses without a grace period configured', async () => {
    const { p, clock, created } = pool();
    const lease = await p.acquire('k', spec());
    p.markInitialized(lease.entry);
    p.release(lease, false);
    await clock.advance(10_000_000);
    expect(created[0]!.events).not.toContain('pause');
  });
});

describe('ContainerPool pause failures', () => {
  it('tries a failed pause again after another grace period, and the container stays usable', async () => {
    const { p, clock, created } = pool({ pauseGraceMs: 1000 });
    const lease = await p.acquire('k', spec());
    p.markInitialized(lease.entry);
    let failures = 1;
    const c = lease.container;
    const pause = c.pause.bind(c);
    c.pause = async () => {
      if (failures-- > 0) throw new Error('unable to freeze');
      await pause();
    };
    p.release(lease, false);
    await clock.advance(1000);
    await flush();
    expect(p.stats().paused).toBe(0);
    await clock.advance(1000);
    await flush();
    expect(p.stats().paused).toBe(1);
    expect(created[0]!.events).toEqual(['pause']);
  });
});

describe('ContainerPool shutdown', () => {
  it('waits for stem cells still starting and removes them', async () => {
    const { factory, created } = fakeFactory();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = { ...factory, create: async (s: ContainerSpec) => (await gate, factory.create(s)) };
    const clock = fakeClock();
    const p = new ContainerPool({
      factory: slow,
      clock,
      logger: silentLogger,
      budgetMB: 1024,
      idleMs: 600_000,
      namePrefix: 'whirl-t-',
      prewarm: [{ kind: 'nodejs:20', image: 'img', memoryMB: 256, count: 1 }],
    });
    p.start();
    await flush();
    let done = false;
    const stopping = p.shutdown().then(() => (done = true));
    await flush();
    expect(done).toBe(false);
    release();
    await stopping;
    expect(created).toHaveLength(1);
    expect(created[0]!.events).toContain('destroy');
  });
});
