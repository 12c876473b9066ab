import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessContainerFactory } from '../../src/adapters/containers/process/process-container-factory.js';
import { isWhirlError } from '../../src/errors/whirl-error.js';
import type { ContainerSpec } from '../../src/ports/container-factory.js';
import { silentLogger } from '../../src/ports/logger.js';
import { initBody, json, runBody } from '../contract/container-factory.contract.js';
import { eventually } from '../helpers/whirl.js';

/** What the process adapter promises beyond the shared contract. */
describe('ProcessContainerFactory specifics', () => {
  const factory = new ProcessContainerFactory({ logger: silentLogger });
  const prefix = `whirltest_proc_${randomUUID().slice(0, 8)}_`;
  afterAll(() => factory.close());

  const spec = (overrides: Partial<ContainerSpec> = {}): ContainerSpec => ({
    name: `${prefix}${randomUUID().slice(0, 8)}`,
    image: 'nodejs',
    kind: 'nodejs:20',
    memoryMB: 256,
    env: {},
    network: true,
    concurrency: 1,
    ...overrides,
  });

  it("gives the runtime only the spec's env (never the invoker's) and caps the heap at memoryMB", async () => {
    const c = await factory.create(spec({ memoryMB: 160, env: { __OW_API_HOST: 'http://api' } }));
    const init = await c.init(
      initBody(`const v8 = require('v8');
        function main() { return { env: Object.keys(process.env).sort(), apiHost: process.env.__OW_API_HOST,
          heapMB: Math.round(v8.getHeapStatistics().heap_size_limit / 1048576) }; }`),
      5_000,
    );
    expect(init.kind).toBe('response');
    const out = json(await c.run(runBody({}), 5_000)) as { env: string[]; apiHost: string; heapMB: number };
    expect(out.apiHost).toBe('http://api');
    // HOME, TMPDIR (and PWD under bubblewrap) name the container's private directories.
    const sandboxVars = ['HOME', 'PWD', 'TMPDIR'];
    expect(out.env.filter((k) => !k.startsWith('__OW_') && !sandboxVars.includes(k))).toEqual(['HOST', 'PORT']);
    // V8 adds its young generation to the old-space cap.
    expect(out.heapMB).toBeGreaterThanOrEqual(160);
    expect(out.heapMB).toBeLessThan(256);
    await c.destroy();
  });

  it('gives each runtime a private temp dir (TMPDIR), gone once the container is destroyed', async () => {
    const file = `whirl-${randomUUID()}`;
    const probe = `function main() { const p = require('path').join(require('os').tmpdir(), '${file}');
      const had = require('fs').existsSync(p); require('fs').writeFileSync(p, 'y'); return { tmp: require('os').tmpdir(), had }; }`;
    const [a, b] = await Promise.all([factory.create(spec()), factory.create(spec())]);
    await Promise.all([a.init(initBody(probe), 5_000), b.init(initBody(probe), 5_000)]);
    const first = json(await a.run(runBody({}), 5_000)) as { tmp: string; had: boolean };
    const second = json(await b.run(runBody({}), 5_000)) as { tmp: string; had: boolean };
    // The second container does not see what the first wrote.
    expect([first.had, second.had]).toEqual([false, false]);
    await Promise.all([a.destroy(), b.destroy()]);
    // Under bubblewrap /tmp inside is a private tmpfs; without it, a directory on the host removed with the container.
    await eventually(async () => (existsSync(join(first.tmp, file)) ? undefined : true));
  });

  it('fails create with WHIRL_UNAVAILABLE when the runtime cannot start', async () => {
    const broken = new ProcessContainerFactory({ logger: silentLogger, proxyPath: `/nonexistent/${randomUUID()}.mjs` });
    const error = await broken.create(spec()).catch((e: unknown) => e);
    expect(isWhirlError(error, 'WHIRL_UNAVAILABLE')).toBe(true);
  });

  it('reports a process that crashed during init as a connection error without waiting for the timeout', async () => {
    const c = await factory.create(spec());
    const started = Date.now();
    const init = await c.init(initBody(`process.exit(3);`), 10_000);
    expect(init.kind).toBe('connection-error');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await c.oomKilled()).toBe(false);
    await c.destroy();
  });
});
