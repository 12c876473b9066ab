import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerPrefix } from '../../src/invoker/invoker.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/**
 * Invoker depth on real Docker (issue 3): prewarmed stem cells, pause/unpause, LRU eviction under a small budget,
 * intra-container concurrency, hardening read back from live containers, a fork bomb, and the blackbox runtime.
 */
const BLACKBOX_BUILD = fileURLToPath(new URL('../../runtimes/blackbox/build.sh', import.meta.url));
const BLACKBOX = 'whirl/runtime-blackbox:latest';

describeWith(['redis', 'couchdb', 'docker'], 'invoker on real Docker', () => {
  const docker = new Docker({ socketPath: serviceUrl('docker') ?? '' });
  const ours = async (w: TestWhirl) => {
    const prefix = containerPrefix(w.handle.config.invoker.id);
    const list = await docker.listContainers({ all: true, filters: { name: [prefix] } });
    return Promise.all(
      list.filter((c) => c.Names.some((n) => n.slice(1).startsWith(prefix))).map((c) => docker.getContainer(c.Id).inspect()),
    );
  };
  const stats = (w: TestWhirl) => w.handle.invoker!.pool.stats();
  const put = (w: TestWhirl, name: string, exec: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    w.api('PUT', `/api/v1/namespaces/_/actions/${name}?overwrite=true`, { exec, ...extra });
  const invoke = (w: TestWhirl, name: string, params: unknown = {}) =>
    w.api('POST', `/api/v1/namespaces/_/actions/${name}?blocking=true`, params);
  const js = (code: string) => ({ kind: 'nodejs:default', code });

  describe('with prewarm and pause', () => {
    let w: TestWhirl;
    beforeAll(async () => {
      execFileSync('bash', [BLACKBOX_BUILD, BLACKBOX], { stdio: 'ignore' });
      w = await startTestWhirl('full', {
        WHIRL_PREWARM: 'nodejs:default@256=1',
        WHIRL_PAUSE_GRACE_MS: '1500',
        WHIRL_INVOKER_MEMORY_MB: '2048',
      });
    }, 60_000);
    const builtImages: string[] = [];
    afterAll(async () => {
      await w?.stop();
      for (const tag of builtImages) execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
    });

    it('serves a never-seen action from a stem cell and starts a new one', async () => {
      // A stem cell that is *ready* (started and answering), not merely being started: on a busy machine starting
      // one takes seconds, and an invoke meanwhile gets a container of its own.
      await eventually(async () => (stats(w).prewarmedReady === 1 && stats(w).counters.created === 0 ? true : undefined), 60_000);
      await put(w, 'fresh', js(`function main() { return { ok: true }; }`));
      const r = await invoke(w, 'fresh');
      expect(r.status).toBe(200);
      expect(r.body.response.result).toEqual({ ok: true });
      expect(r.body.annotations.some((a: any) => a.key === 'initTime')).toBe(true);
      expect(stats(w).counters).toMatchObject({ prewarmed: 1, created: 0 });
      // ... and a new stem cell takes its place.
      await eventually(async () => (stats(w).prewarmedReady === 1 ? true : undefined), 60_000);
    }, 150_000);

    it('pauses an idle container after the grace period and unpauses it on reuse', async () => {
      await put(w, 'pausable', js(`let n = 0; function main() { return { n: ++n }; }`));
      expect((await invoke(w, 'pausable')).body.response.result).toEqual({ n: 1 });
      // Every idle action container (this one included) gets paused once its grace period is over.
      await eventually(async () => (stats(w).warm === 0 && stats(w).paused > 0 ? true : undefined), 20_000);
      const paused = (await ours(w)).filter((c) => c.State.Paused);
      expect(paused.length).toBeGreaterThanOrEqual(1);
      const resumedBefore = stats(w).counters.resumed;
      const again = await invoke(w, 'pausable');
      expect(again.body.response.result).toEqual({ n: 2 }); // the same (warm) container, resumed
      expect(stats(w).counters.resumed).toBe(resumedBefore + 1);
    }, 60_000);

    it('runs up to limits.concurrency activations in one container', async () => {
      const code = `let live = 0, max = 0;
        async function main() { live++; max = Math.max(max, live); await new Promise(r => setTimeout(r, 800)); live--; return { max }; }`;
      await put(w, 'conc', js(code), { limits: { concurrency: 4 } });
      const created = stats(w).counters.created;
      await invoke(w, 'conc'); // cold start first, so the next four find a warm container
      const rs = await Promise.all([1, 2, 3, 4].map(() => invoke(w, 'conc')));
      for (const r of rs) expect(r.status).toBe(200);
      expect(Math.max(...rs.map((r) => r.body.response.result.max))).toBeGreaterThan(1);
      expect(stats(w).counters.created - created).toBe(1);
    }, 60_000);

    it('hardens every live action container, and an action cannot reach the Docker socket', async () => {
      const probe = `function main() { const fs = require('fs'); let rootWritable = true;
        try { fs.writeFileSync('/probe', 'x'); } catch { rootWritable = false; }
        fs.writeFileSync('/tmp/probe', 'x');
        return { uid: process.getuid(), socket: fs.existsSync('/var/run/docker.sock'), rootWritable }; }`;
      await put(w, 'probe', js(probe));
      const r = await invoke(w, 'probe');
      expect(r.body.response.result).toEqual({ uid: 10001, socket: false, rootWritable: false });
      await put(w, 'offline', js(`function main() { return {}; }`), {
        limits: { memory: 128 },
        annotations: [{ key: 'network', value: false }],
      });
      expect((await invoke(w, 'offline')).status).toBe(200);
      const live = await ours(w);
      expect(live.length).toBeGreaterThanOrEqual(2);
      for (const c of live) {
        const h = c.HostConfig;
        expect(h.MemorySwap).toBe(h.Memory);
        expect(h.PidsLimit).toBe(1024);
        expect(h.Ulimits).toEqual([{ Name: 'nofile', Soft: 1024, Hard: 1024 }]);
        expect(h.CapDrop).toEqual(['ALL']);
        expect(h.SecurityOpt).toContain('no-new-privileges');
        expect(h.ReadonlyRootfs).toBe(true);
        expect(Object.keys(h.Tmpfs ?? {})).toEqual(['/tmp']);
        expect(h.Privileged).toBe(false);
        expect(c.Mounts).toEqual([]);
        expect(c.Config.User).not.toMatch(/^(|0|root)$/);
      }
      const offline = live.find((c) => c.HostConfig.Memory === 128 * 1024 * 1024)!;
      expect(offline.HostConfig.NetworkMode).toBe('whirl-isolated');
      const online = live.find((c) => c.HostConfig.Memory === 256 * 1024 * 1024)!;
      expect(online.HostConfig.NetworkMode).toBe('bridge');
    }, 60_000);

    it('runs a blackbox action: argv[1] params, last stdout line as result, other lines as logs', async () => {
      const script = '#!/bin/sh\necho "log line from sh"\necho "{\\"args\\": $1, \\"ns\\": \\"$__OW_NAMESPACE\\"}"\n';
      await put(w, 'bb', { kind: 'blackbox', image: BLACKBOX, code: script });
      const r = await invoke(w, 'bb', { x: 1 });
      expect(r.status).toBe(200);
      expect(r.body.response.result).toEqual({ args: { x: 1 }, ns: 'guest' });
      const rec = await eventually(async () => {
        const g = await w.api('GET', `/api/v1/namespaces/_/activations/${r.body.activationId}`);
        return g.status === 200 ? g.body : undefined;
      });
      expect(rec.logs.some((l: string) => l.endsWith('stdout: log line from sh'))).toBe(true);

      await put(w, 'stub', { kind: 'blackbox', image: BLACKBOX });
      const stub = await invoke(w, 'stub');
      expect(stub.body.response.status).toBe('application error');
      expect(stub.body.response.result.error).toMatch(/stub action/);

      await put(w, 'bbbad', { kind: 'blackbox', image: BLACKBOX, code: '#!/bin/sh\necho not json\n' });
      expect((await invoke(w, 'bbbad')).body.response.status).toBe('action developer error');
    }, 60_000);

    it('runs an image built FROM the blackbox skeleton with its own /action/exec (no registry)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'whirl-bb-'));
      const tag = `whirl-test/blackbox-own:${randomUUID().slice(0, 8)}`;
      try {
        writeFileSync(join(dir, 'exec'), '#!/usr/local/bin/node\nconst p = JSON.parse(process.argv[2]);\nconsole.log(JSON.stringify({ doubled: p.n * 2 }));\n', { mode: 0o755 });
        writeFileSync(join(dir, 'Dockerfile'), `FROM ${BLACKBOX}\nCOPY exec /action/exec\n`);
        execFileSync('docker', ['build', '--quiet', '-t', tag, dir], { stdio: 'ignore' });
        builtImages.push(tag);
        await put(w, 'own', { kind: 'blackbox', image: tag });
        const r = await invoke(w, 'own', { n: 21 });
        expect(r.body.response.result).toEqual({ doubled: 42 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

    it('an OOM action and a fork bomb end as developer errors and the invoker stays healthy', async () => {
      const hog = `function main() { const keep = []; for (;;) keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); }`;
      await put(w, 'hog', js(hog), { limits: { memory: 128, timeout: 20000 } });
      const oom = await invoke(w, 'hog');
      expect(oom.body.response.status).toBe('action developer error');
      expect(oom.body.response.result.error).toBe('The action exhausted its memory and was aborted.');

      // pids are capped at 1024 per container: the bomb runs out of forks inside its container, not on the host.
      // The bomb forks until the cap; the action never answers, so it ends at its time limit.
      const bomb = "#!/usr/local/bin/node\nrequire('child_process').spawn('/bin/sh', ['-c', 'b() { b | b & }; b'], { stdio: 'ignore' });\nsetInterval(() => {}, 1000);\n";
      await put(w, 'bomb', { kind: 'blackbox', image: BLACKBOX, code: bomb }, { limits: { timeout: 3000 } });
      const r = await invoke(w, 'bomb');
      expect(r.body.response.status).toBe('action developer error');
      expect(r.body.annotations.find((a: any) => a.key === 'timeout')?.value).toBe(true);
      await put(w, 'after', js(`function main() { return { fine: true }; }`));
      const ok = await invoke(w, 'after');
      expect(ok.body.response.result).toEqual({ fine: true });
    }, 60_000);
  });

  describe('under a small memory budget', () => {
    let w: TestWhirl;
    beforeAll(async () => {
      w = await startTestWhirl('full', { WHIRL_PREWARM: '', WHIRL_INVOKER_MEMORY_MB: '512' });
    }, 60_000);
    afterAll(async () => {
      await w?.stop();
    });

    it('evicts the least recently used idle container to make room', async () => {
      for (const name of ['e1', 'e2', 'e3']) await put(w, name, js(`function main() { return { name: '${name}' }; }`));
      expect((await invoke(w, 'e1')).status).toBe(200);
      expect((await invoke(w, 'e2')).status).toBe(200);
      expect((await invoke(w, 'e1')).status).toBe(200); // e2 is now the least recently used
      expect((await invoke(w, 'e3')).status).toBe(200);
      expect(stats(w).counters.evicted).toBe(1);
      expect(stats(w).memoryMB).toBeLessThanOrEqual(512);
      const warm = stats(w).counters.warm;
      expect((await invoke(w, 'e1')).status).toBe(200); // e1 survived the eviction: warm
      expect(stats(w).counters.warm).toBe(warm + 1);
      await eventually(async () => ((await ours(w)).length === 2 ? true : undefined), 10_000);
    }, 60_000);
  });
});
