import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { WhirlError } from '../../src/errors/whirl-error.js';
import { startWhirl, type WhirlHandle } from '../../src/main.js';
import { type Clock, systemClock } from '../../src/ports/clock.js';
import { GUEST_KEY } from '../helpers/whirl-process.js';
import { eventually } from '../helpers/whirl.js';

/**
 * Rate windows are clock minutes. The Whirl's clock starts at the beginning of a minute and runs at real speed, so
 * the test has a whole window however slow the machine is (records are merely stamped a little in the past).
 */
function minuteAlignedClock(): Clock {
  const real = Date.now();
  const offset = real - (real % 60_000) - real;
  return { now: () => Date.now() + offset, setTimeout: systemClock.setTimeout };
}

const SLOW = 'function main(p){return new Promise(r=>setTimeout(()=>r({ok:true}),p.ms||0))}';

describe('throttles through the API (embedded Whirl)', () => {
  let handle: WhirlHandle | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'whirl-test-'));
  const whirl = {
    api: async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${handle!.url}${path}`, {
        method,
        headers: { authorization: `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as any };
    },
  };
  beforeAll(async () => {
    const config = loadConfig({
      WHIRL_PORT: '0',
      WHIRL_LOG_LEVEL: 'warn',
      WHIRL_DATA_DIR: dataDir,
      WHIRL_INVOKER_ID: `throttle${process.pid}`,
      WHIRL_GUEST_KEY: GUEST_KEY,
      WHIRL_THROTTLE_NAMESPACES: JSON.stringify({ guest: { invocationsPerMinute: 4, concurrentInvocations: 2 } }),
    });
    handle = await startWhirl(config, { clock: minuteAlignedClock() });
    const put = await whirl.api('PUT', '/api/v1/namespaces/_/actions/slow', { exec: { kind: 'nodejs:default', code: SLOW } });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await handle?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses the invocation past the concurrency limit, frees slots on completion, then hits the minute rate exactly', async () => {
    const invoke = (ms: number) => whirl.api('POST', '/api/v1/namespaces/_/actions/slow', { ms });
    // Two in flight (non-blocking): the third is refused with the concurrent-requests message.
    const a = await invoke(1500);
    const b = await invoke(1500);
    expect([a.status, b.status]).toEqual([202, 202]);
    const c = await invoke(0);
    expect(c.status).toBe(429);
    expect(c.body.error).toBe(new WhirlError('WHIRL_THROTTLED_CONCURRENT', [2, 2]).message);
    // Their completions free the slots (non-blocking activations report back to the API process).
    for (const r of [a, b]) {
      await eventually(async () => {
        const rec = await whirl.api('GET', `/api/v1/namespaces/_/activations/${r.body.activationId}`);
        return rec.status === 200 ? rec : undefined;
      }, 20_000);
    }
    const d = await whirl.api('POST', '/api/v1/namespaces/_/actions/slow?blocking=true', { ms: 0 });
    expect(d.status).toBe(200);
    // Requests this minute: a, b, c (refused, still counted), d → the 5th is over the limit of 4.
    const e = await invoke(0);
    expect(e.status).toBe(429);
    expect(e.body.error).toBe(new WhirlError('WHIRL_THROTTLED_RATE', [5, 4]).message);
  }, 60_000);
});
