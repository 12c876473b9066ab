import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookDelivery, WebhookInbox } from '../../src/ports/webhook-inbox.js';

/** The WebhookInbox contract (src/ports/webhook-inbox.ts), run against every adapter. */
export function webhookInboxContract(
  name: string,
  make: () => Promise<WebhookInbox>,
  hooks: { reopen?: (inbox: WebhookInbox) => Promise<WebhookInbox>; makeUnreachable?: () => Promise<WebhookInbox> } = {},
): void {
  describe(`WebhookInbox contract: ${name}`, () => {
    const opened: WebhookInbox[] = [];
    const open = async () => {
      const inbox = await make();
      opened.push(inbox);
      return inbox;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((i) => i.close()));
    });
    const delivery = (payload: Record<string, unknown> = {}): WebhookDelivery => ({
      id: randomUUID(),
      identity: { namespace: 'ns', subject: 'ns', uuid: 'u' },
      trigger: 't',
      payload,
      headers: { 'x-a': '1' },
      receivedAt: 1,
      transactionId: 'tx',
    });
    const collect = () => {
      const got: WebhookDelivery[] = [];
      const waitFor = async (n: number, ms = 10_000) => {
        const until = Date.now() + ms;
        while (got.length < n) {
          if (Date.now() > until) throw new Error(`only ${got.length} of ${n} deliveries within ${ms} ms`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      return { got, waitFor };
    };

    it('hands accepted deliveries (also those stored before it started) to a consumer, once, oldest first', async () => {
      const inbox = await open();
      const a = delivery({ n: 1 });
      const b = delivery({ n: 2 });
      expect(await inbox.accept(a, `k-${a.id}`, 60_000)).toBe('accepted');
      expect(await inbox.accept(b, `k-${b.id}`, 60_000)).toBe('accepted');
      const { got, waitFor } = collect();
      const consumer = await inbox.consume(async (d) => void got.push(d));
      await waitFor(2);
      const c = delivery({ n: 3 });
      await inbox.accept(c, `k-${c.id}`, 60_000);
      await waitFor(3);
      await new Promise((r) => setTimeout(r, 300));
      await consumer.close();
      expect(got).toEqual([a, b, c]);
      expect(await inbox.pending()).toBe(0);
    });

    it('refuses a replay key seen within the window, and stores nothing for it', async () => {
      const inbox = await open();
      const key = `k-${randomUUID()}`;
      expect(await inbox.accept(delivery(), key, 60_000)).toBe('accepted');
      expect(await inbox.accept(delivery(), key, 60_000)).toBe('replay');
      expect(await inbox.pending()).toBe(1);
      const short = `k-${randomUUID()}`;
      expect(await inbox.accept(delivery(), short, 50)).toBe('accepted');
      await new Promise((r) => setTimeout(r, 120));
      expect(await inbox.accept(delivery(), short, 50)).toBe('accepted');
    });

    it('retries a delivery whose handler failed', async () => {
      const inbox = await open();
      const d = delivery();
      await inbox.accept(d, `k-${d.id}`, 60_000);
      let attempts = 0;
      const { got, waitFor } = collect();
      const consumer = await inbox.consume(
        async (x) => {
          attempts += 1;
          if (attempts === 1) throw new Error('store down');
          got.push(x);
        },
        { retryMs: 200, claimAfterMs: 200 },
      );
      await waitFor(1);
      await consumer.close();
      expect(attempts).toBe(2);
      expect(got[0]).toEqual(d);
    });

    if (hooks.reopen) {
      const reopen = hooks.reopen;
      it('keeps accepted deliveries across a reopen, and a consumer that stopped mid-delivery loses nothing', async () => {
        const inbox = await open();
        const d = delivery({ durable: true });
        await inbox.accept(d, `k-${d.id}`, 60_000);
        let release: () => void = () => {};
        const stuck = await inbox.consume(() => new Promise<void>((_, reject) => (release = () => reject(new Error('died')))), {
          claimAfterMs: 300,
          retryMs: 300,
        });
        await new Promise((r) => setTimeout(r, 200));
        const again = await reopen(inbox);
        opened.push(again);
        const { got, waitFor } = collect();
        const consumer = await again.consume(async (x) => void got.push(x), { claimAfterMs: 300, retryMs: 300 });
        await waitFor(1);
        release();
        await stuck.close();
        await consumer.close();
        expect(got).toEqual([d]);
      });
    }

    if (hooks.makeUnreachable) {
      const makeUnreachable = hooks.makeUnreachable;
      it('rejects with WHIRL_UNAVAILABLE when its backend is unreachable', async () => {
        const inbox = await makeUnreachable();
        opened.push(inbox);
        await expect(inbox.accept(delivery(), 'k', 1000)).rejects.toMatchObject({ code: 'WHIRL_UNAVAILABLE' });
      });
    }
  });
}
