import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTime } from '../../src/adapters/containers/process/sandbox/claims.js';
import { eventually } from '../helpers/whirl.js';
import { GUEST_KEY, startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';

/**
 * Crash hygiene of process containers: kill -9 an embedded Whirl holding warm containers (some paused, i.e.
 * SIGSTOPped), restart it, and no runtime process of the first one may be left; none of the second's after its own
 * shutdown either.
 */

/** Every live descendant of `root` (pid → start time), found by walking /proc's parent links. */
function descendants(root: number): Map<number, string> {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited */
    }
  }
  const out = new Map<number, string>();
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p && !out.has(child)) {
        const start = startTime(child);
        if (start) out.set(child, start);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

const state = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
};
/** Processes of `procs` still alive (same pid and same start time: not a recycled pid). */
const survivors = (procs: Map<number, string>) => [...procs].filter(([pid, start]) => startTime(pid) === start).map(([pid]) => pid);

describe('process containers after a crash', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'whirl-crash-'));
  let second: WhirlProcess | undefined;
  afterAll(async () => {
    await second?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const env = { WHIRL_DATA_DIR: dataDir, WHIRL_PAUSE_GRACE_MS: '50', WHIRL_GUEST_KEY: GUEST_KEY };
  const api = (w: WhirlProcess, method: string, path: string, body?: unknown) =>
    fetch(`${w.url}${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('leaves no runtime process of a kill -9ed Whirl, paused ones included, and none after a restart and stop', async () => {
    const first = await startWhirlProcess(env, { timeoutMs: 60_000 });
    // Four actions, two invoked concurrently each: several warm containers, paused after their grace period.
    for (let i = 0; i < 4; i++) {
      const code = `function main() { return new Promise((r) => setTimeout(() => r({ ok: ${i} }), 200)); }`;
      const r = await api(first, 'PUT', `/api/v1/namespaces/_/actions/warm${i}?overwrite=true`, { exec: { kind: 'nodejs:default', code } });
      expect(r.status).toBe(200);
    }
    const runs = await Promise.all(
      [0, 1, 2, 3, 0, 1, 2, 3].map((i) => api(first, 'POST', `/api/v1/namespaces/_/actions/warm${i}?blocking=true`, {}).then((r) => r.status)),
    );
    expect(runs.every((s) => s === 200)).toBe(true);
    const procs = await eventually(async () => {
      const d = descendants(first.child.pid!);
      const stopped = [...d.keys()].filter((p) => state(p) === 'T');
      return stopped.length >= 4 ? d : undefined;
    }, 30_000);
    expect(procs.size).toBeGreaterThanOrEqual(8);

    await first.kill();
    second = await startWhirlProcess(env, { timeoutMs: 60_000 });
    await eventually(async () => (survivors(procs).length === 0 ? true : undefined), 20_000).catch(() => undefined);
    expect(survivors(procs)).toEqual([]);

    // The restarted Whirl works, and its own containers go with its graceful stop.
    const r = await api(second, 'POST', '/api/v1/namespaces/_/actions/warm0?blocking=true', {});
    expect(r.status).toBe(200);
    const mine = descendants(second.child.pid!);
    expect(mine.size).toBeGreaterThan(0);
    await second.stop();
    second = undefined;
    expect(survivors(mine)).toEqual([]);
  }, 180_000);
});
