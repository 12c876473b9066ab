import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { describeWith } from '../helpers/services.js';

/** runtimes/nodejs/build.sh: a registry-free image that runs hardened, and a no-op rebuild when nothing changed. */
const BUILD = fileURLToPath(new URL('../../runtimes/nodejs/build.sh', import.meta.url));
const run = promisify(execFile);

describeWith(['docker'], 'nodejs runtime image (build.sh)', () => {
  const tag = `whirl-test/runtime-nodejs:${randomUUID().slice(0, 8)}`;
  const name = `whirltest_image_${randomUUID().slice(0, 8)}`;

  afterAll(async () => {
    await run('docker', ['rm', '-f', name]).catch(() => undefined);
    await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
  });

  it('builds once, then skips the rebuild when the content is unchanged', async () => {
    const first = await run('bash', [BUILD, tag]);
    expect(first.stdout).toContain(`built ${tag}`);
    const second = await run('bash', [BUILD, tag]);
    expect(second.stdout).toContain('up to date');
  }, 120_000);

  it('runs the proxy as uid 10001 on a read-only root with a writable /tmp', async () => {
    await run('docker', [
      'run', '-d', '--name', name, '--read-only', '--tmpfs', '/tmp:mode=1777', '--cap-drop', 'ALL',
      '--security-opt', 'no-new-privileges', tag,
    ]);
    const { stdout: ip } = await run('docker', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name]);
    const base = `http://${ip.trim()}:8080`;
    const code = `const fs = require('fs');
      function main() { fs.writeFileSync('/tmp/probe', 'ok'); return { uid: process.getuid(), tmp: fs.readFileSync('/tmp/probe', 'utf8') }; }`;
    let init: Response | undefined;
    for (let i = 0; i < 200 && !init; i++) {
      init = await fetch(`${base}/init`, { method: 'POST', body: JSON.stringify({ value: { main: 'main', code } }) }).catch(
        () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 25)),
      );
    }
    expect(init?.status).toBe(200);
    const res = await fetch(`${base}/run`, { method: 'POST', body: JSON.stringify({ value: {} }) });
    expect(await res.json()).toEqual({ uid: 10001, tmp: 'ok' });
  }, 30_000);
});
