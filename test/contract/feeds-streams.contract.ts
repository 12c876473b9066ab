import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageStreams, StreamMessage, StreamSubscription } from '../../src/ports/message-streams.js';

function sub(stream: string, overrides: Partial<StreamSubscription> = {}): StreamSubscription {
  return { id: `ns/${randomUUID().slice(0, 8)}`, namespace: 'ns', trigger: 't', subject: 's', uuid: 'u', stream, paused: false, ...overrides };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The MessageStreams contract (src/ports/message-streams.ts); `open` returns handles on one shared backend. */
export function messageStreamsContract(name: string, open: () => Promise<MessageStreams>): void {
  describe(`MessageStreams contract: ${name}`, () => {
    const stops: Array<() => Promise<void>> = [];
    const opened: MessageStreams[] = [];
    const streams = async () => {
      const s = await open();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const stop of stops.splice(0)) await stop();
      for (const s of opened.splice(0)) await s.close();
    });
    const opts = { pollMs: 20, retryMs: 200 };

    it('delivers each message appended after subscribe exactly once across two consumers', async () => {
      const a = await streams();
      const b = await streams();
      const stream = `whirl-test-stream-${randomUUID()}`;
      await a.append(stream, { early: 'yes' });
      const s = sub(stream);
      await a.subscribe(s);
      const got: Array<{ by: string; m: StreamMessage }> = [];
      stops.push(a.consume(async (_s, m) => void got.push({ by: 'a', m }), { consumerId: 'a', ...opts }));
      stops.push(b.consume(async (_s, m) => void got.push({ by: 'b', m }), { consumerId: 'b', ...opts }));
      for (let i = 0; i < 20; i++) await b.append(stream, { n: String(i) });
      await until(() => got.length >= 20);
      await new Promise((r) => setTimeout(r, 100));
      expect(got.map((g) => g.m.fields.n).sort((x, y) => Number(x) - Number(y))).toEqual(
        Array.from({ length: 20 }, (_, i) => String(i)),
      );
      await a.unsubscribe(s.id);
    });

    it('delivers again a message whose delivery failed', async () => {
      const a = await streams();
      const stream = `whirl-test-stream-${randomUUID()}`;
      const s = sub(stream);
      await a.subscribe(s);
      let attempts = 0;
      stops.push(
        a.consume(
          async () => {
            attempts += 1;
            if (attempts === 1) throw new Error('first delivery fails');
          },
          { consumerId: 'a', ...opts },
        ),
      );
      await a.append(stream, { x: '1' });
      await until(() => attempts >= 2);
      await new Promise((r) => setTimeout(r, 400));
      expect(attempts).toBe(2);
      await a.unsubscribe(s.id);
    });

    it('holds messages while paused and stops after unsubscribe', async () => {
      const a = await streams();
      const stream = `whirl-test-stream-${randomUUID()}`;
      const s = sub(stream);
      await a.subscribe(s);
      await a.setPaused(s.id, true);
      expect((await a.get(s.id))?.paused).toBe(true);
      const got: string[] = [];
      stops.push(a.consume(async (_s, m) => void got.push(m.fields.x!), { consumerId: 'a', ...opts }));
      await a.append(stream, { x: 'held' });
      await new Promise((r) => setTimeout(r, 150));
      expect(got).toEqual([]);
      await a.setPaused(s.id, false);
      await until(() => got.length === 1);
      await a.unsubscribe(s.id);
      expect(await a.get(s.id)).toBeUndefined();
      await a.append(stream, { x: 'after' });
      await new Promise((r) => setTimeout(r, 150));
      expect(got).toEqual(['held']);
    });
  });
}
