import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../src/domain/webhook.js';
import { startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { call, checkRecords, listedActivationIds, Tally, deliveriesNotFiredOnce } from './fault-kit.js';

/**
 * The embedded default keeps the production promises (`npm start`'s defaults: the on-disk queue and store, process
 * containers). 2,000 non-blocking invokes and 100 webhook deliveries are sent; the Whirl is killed -9 part-way and
 * started again on the same data directory. Every activation answered 202 ends with exactly one record, and every
 * webhook delivery answered 202 fires its rule's action exactly once.
 */
const INVOKES = 2000;
const DELIVERIES = 100;
const SECRET = 'fault-secret';

describe('embedded Whirl killed -9 under load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'whirl-fault-embedded-'));
  let whirl: WhirlProcess | undefined;
  // WHIRL_FAULT_EMBEDDED_QUEUE=memory shows the test failing on the in-process queue.
  const env = { WHIRL_DATA_DIR: dataDir, WHIRL_PREWARM: '', WHIRL_QUEUE: process.env.WHIRL_FAULT_EMBEDDED_QUEUE ?? 'file' };
  afterAll(async () => {
    await whirl?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends every accepted activation and delivery with exactly one record or firing', async () => {
    whirl = await startWhirlProcess(env);
    let base = whirl.url;
    for (const [path, body] of [
      ['/actions/inc', { exec: { kind: 'nodejs:default', code: 'function main(p) { return { n: p.n }; }' } }],
      ['/actions/hooked', { exec: { kind: 'nodejs:default', code: 'function main(p) { return { marker: p.marker }; }' } }],
      ['/triggers/hook', { annotations: [{ key: 'webhook', value: { type: 'github', secret: SECRET } }] }],
      ['/rules/hook-rule', { trigger: '/_/hook', action: '/_/hooked' }],
    ] as const) {
      const r = await call(base, 'PUT', `${path}?overwrite=true`, body);
      expect(r?.status, JSON.stringify(r)).toBe(200);
    }

    const invokes = new Tally();
    const accepted: string[] = [];
    let deliveriesUnknown = 0;
    let killed = false;
    let restarted = false;
    let sent = 0;
    const deliver = async (marker: string) => {
      const body = JSON.stringify({ marker });
      try {
        const res = await fetch(`${base}/api/v1/webhooks/guest/hook`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'push',
            'x-github-delivery': marker,
            'x-hub-signature-256': `sha256=${hmacSha256Hex(SECRET, body)}`,
          },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const answer = (await res.json().catch(() => ({}))) as { deliveryId?: string };
        if (res.status === 202 && answer.deliveryId) accepted.push(answer.deliveryId);
      } catch {
        deliveriesUnknown++;
      }
    };
    // 20 clients; every 21st request is a webhook delivery. The kill comes once a third of the invokes are in; the
    // rest of the loop goes to the restarted Whirl.
    const work = Array.from({ length: INVOKES + DELIVERIES }, (_, i) => i);
    const client = async () => {
      for (let i = work.shift(); i !== undefined; i = work.shift()) {
        sent++;
        if (i % 21 === 20) await deliver(`m-${i}`);
        else invokes.add(await call(base, 'POST', '/actions/inc', { n: i }, 30_000));
        if (!killed && invokes.accepted.length >= INVOKES / 3) {
          killed = true;
          await whirl!.kill();
        }
        if (killed && !restarted) return;
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    expect(killed).toBe(true);

    whirl = await startWhirlProcess(env);
    const after = whirl.url;
    base = after;
    restarted = true;
    await Promise.all(Array.from({ length: 20 }, client));
    expect(work).toHaveLength(0);
    // Everything accepted before the kill gets its record, after the restart, however slow the machine.
    let verdict = checkRecords(invokes, []);
    const deadline = Date.now() + 180_000;
    // Listing pages by skip (a record landing mid-listing can show twice): two listings in a row must agree.
    let previous = -1;
    for (;;) {
      const listed = await listedActivationIds(after);
      verdict = checkRecords(invokes, listed);
      const settled = verdict.missing.length === 0 && listed.length === previous;
      previous = listed.length;
      if (settled || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(verdict.missing).toEqual([]);
    expect(verdict.duplicated).toEqual([]);

    // Each accepted delivery fired exactly once: one trigger activation (its id is the delivery id) and one
    // activation of the rule's action caused by it — a success, or a whisk internal error when it had started
    // before the kill (at most once: it is never run twice).
    expect(await deliveriesNotFiredOnce(after, accepted, { trigger: 'hook', action: 'hooked' })).toEqual([]);
    console.log(
      `embedded kill -9: ${sent} requests sent, ${invokes.accepted.length} invokes accepted (${invokes.unknown} unanswered), ` +
        `${accepted.length} deliveries accepted (${deliveriesUnknown} unanswered), all recorded once`,
    );
  }, 600_000);
});
