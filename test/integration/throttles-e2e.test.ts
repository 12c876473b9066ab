import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhirlError } from '../../src/errors/whirl-error.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/** Rate windows are clock minutes: start a burst well inside one so it cannot straddle two. */
async function awayFromMinuteEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 100));
}

const SLOW = 'function main(p){return new Promise(r=>setTimeout(()=>r({ok:true}),p.ms||0))}';

describe('throttles through the API (embedded Whirl)', () => {
  let whirl: TestWhirl;
  beforeAll(async () => {
    whirl = await startTestWhirl('embedded', {
      WHIRL_THROTTLE_NAMESPACES: JSON.stringify({ guest: { invocationsPerMinute: 4, concurrentInvocations: 2 } }),
    });
    const put = await whirl.api('PUT', '/api/v1/namespaces/_/actions/slow', { exec: { kind: 'nodejs:default', code: SLOW } });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await whirl?.stop();
  });

  it('refuses the invocation past the concurrency limit, frees slots on completion, then hits the minute rate exactly', async () => {
    await awayFromMinuteEdge();
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
