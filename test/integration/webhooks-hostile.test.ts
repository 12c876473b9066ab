import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../src/domain/webhook.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/**
 * Webhook senders as attackers (docs/isolation.md, "Webhooks"), against an embedded Whirl and its file inbox: a
 * captured delivery re-sent with a new delivery id (or none), annotations that can never verify, credentials in
 * the sender's headers, and a log that must not keep what has been fired.
 */
const SECRET = 'hostile-test-secret';
const ECHO = 'function main(p){return p}';

describe('webhooks against hostile senders (embedded)', () => {
  let whirl: TestWhirl;
  let dataDir: string;
  const call = (method: string, path: string, body?: unknown) => whirl.api(method, path, body);
  const post = async (trigger: string, headers: Record<string, string>, body: string) => {
    const res = await fetch(`${whirl.url}/api/v1/webhooks/guest/${trigger}`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { error: string; code: string } };
  };
  const runsOf = async (action: string, marker: string) => {
    const list = await call('GET', `/api/v1/namespaces/_/activations?name=${action}&docs=true&limit=200`);
    return (list.body as any[]).filter((r) => r.response?.result?.marker === marker);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'whirl-test-hooks-'));
    whirl = await startTestWhirl('embedded', { WHIRL_DATA_DIR: dataDir });
    for (const [path, body] of [
      ['actions/hook-act', { exec: { kind: 'nodejs:default', code: ECHO } }],
      ['triggers/gh', { annotations: [{ key: 'webhook', value: { type: 'github', secret: SECRET } }] }],
      ['triggers/mac', { annotations: [{ key: 'webhook', value: { type: 'hmac', secret: SECRET } }] }],
      ['rules/gh-rule', { trigger: '/_/gh', action: '/_/hook-act' }],
      ['rules/mac-rule', { trigger: '/_/mac', action: '/_/hook-act' }],
    ] as const) {
      const res = await call('PUT', `/api/v1/namespaces/_/${path}?overwrite=true`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });
  afterAll(async () => {
    await whirl?.stop();
  });

  it('a replayed GitHub delivery with a new X-GitHub-Delivery, or without one, is refused and fires once', async () => {
    const body = JSON.stringify({ marker: 'gh-replay' });
    const signed = { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${hmacSha256Hex(SECRET, body)}` };
    expect((await post('gh', { ...signed, 'x-github-delivery': randomUUID() }, body)).status).toBe(202);
    for (let i = 0; i < 5; i++) {
      const again = await post('gh', { ...signed, 'x-github-delivery': randomUUID() }, body);
      expect(again.status).toBe(401);
      expect(Object.keys(again.body).sort()).toEqual(['code', 'error']);
    }
    expect((await post('gh', signed, body)).status).toBe(401);
    await eventually(async () => ((await runsOf('hook-act', 'gh-replay')).length > 0 ? true : undefined), 30_000, 200);
    expect(await runsOf('hook-act', 'gh-replay')).toHaveLength(1);
  });

  it('a replayed HMAC delivery with a new X-Webhook-Id, or without one, is refused and fires once', async () => {
    const body = JSON.stringify({ marker: 'mac-replay' });
    const signed = { 'content-type': 'application/json', 'x-signature-256': hmacSha256Hex(SECRET, body) };
    expect((await post('mac', signed, body)).status).toBe(202);
    expect((await post('mac', { ...signed, 'x-webhook-id': randomUUID() }, body)).status).toBe(401);
    expect((await post('mac', { ...signed, 'x-webhook-id': randomUUID() }, body)).status).toBe(401);
    expect((await post('mac', { ...signed, 'x-signature-256': `sha256=${signed['x-signature-256'].toUpperCase()}` }, body)).status).toBe(401);
    await eventually(async () => ((await runsOf('hook-act', 'mac-replay')).length > 0 ? true : undefined), 30_000, 200);
    expect(await runsOf('hook-act', 'mac-replay')).toHaveLength(1);
  });

  it('refuses webhook annotations that can never verify, on create and on update, naming the field', async () => {
    const bad: Array<[unknown, string]> = [
      [{ type: 'nope', secret: 's' }, 'webhook.type'],
      [{ type: 'github' }, 'webhook.secret'],
      [{ type: 'github', secret: '' }, 'webhook.secret'],
      [{ type: 'github', secret: 12345 }, 'webhook.secret'],
      ['github', 'webhook must be an object'],
    ];
    for (const [value, field] of bad) {
      const created = await call('PUT', '/api/v1/namespaces/_/triggers/never', { annotations: [{ key: 'webhook', value }] });
      expect(created.status, JSON.stringify(created.body)).toBe(400);
      expect(Object.keys(created.body).sort()).toEqual(['code', 'error']);
      expect(created.body.error).toContain(field);
      const updated = await call('PUT', '/api/v1/namespaces/_/triggers/gh?overwrite=true', { annotations: [{ key: 'webhook', value }] });
      expect(updated.status).toBe(400);
      expect(updated.body.error).toContain(field);
    }
    expect((await call('GET', '/api/v1/namespaces/_/triggers/never')).status).toBe(404);
    const kept = await call('GET', '/api/v1/namespaces/_/triggers/gh');
    expect(kept.body.annotations).toEqual([{ key: 'webhook', value: { type: 'github', secret: SECRET } }]);
  });

  it("keeps no Authorization or Cookie header in webhooks.log (0600), and compacts fired deliveries away", async () => {
    // Deliveries accepted by a Whirl that does not fire them (no worker) stay in the log: read it then. A second
    // Whirl on the same data dir fires them; afterwards the log holds no delivery at all.
    const dir = mkdtempSync(join(tmpdir(), 'whirl-test-hooks-'));
    const log = () => readFileSync(join(dir, 'webhooks.log'), 'utf8');
    const n = 50;
    const accepting = await startTestWhirl('embedded', { WHIRL_DATA_DIR: dir, WHIRL_WEBHOOK_WORKER: 'false' });
    try {
      const put = await accepting.api('PUT', '/api/v1/namespaces/_/triggers/quiet', {
        annotations: [{ key: 'webhook', value: { type: 'hmac', secret: SECRET } }],
      });
      expect(put.status).toBe(200);
      for (let i = 0; i < n; i++) {
        const body = JSON.stringify({ marker: `bulk-${i}`, pad: 'x'.repeat(200) });
        const headers = {
          'content-type': 'application/json',
          'x-signature-256': hmacSha256Hex(SECRET, body),
          authorization: 'Bearer sender-bearer-token-do-not-keep',
          cookie: 'session=sender-cookie-do-not-keep',
          'x-kept': 'kept-header',
        };
        const res = await fetch(`${accepting.url}/api/v1/webhooks/guest/quiet`, { method: 'POST', headers, body });
        expect(res.status).toBe(202);
      }
    } finally {
      await accepting.stop();
    }
    const before = log();
    expect(before.split('\n').filter((l) => l.startsWith('{"_id":"d/')).length).toBe(n);
    expect(before).toContain('kept-header');
    expect(before).not.toContain('sender-bearer-token-do-not-keep');
    expect(before).not.toContain('sender-cookie-do-not-keep');
    expect(statSync(join(dir, 'webhooks.log')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const firing = await startTestWhirl('embedded', { WHIRL_DATA_DIR: dir });
    try {
      const after = await eventually(async () => (log().includes('"d/') ? undefined : log()), 60_000, 250);
      expect(after.length).toBeLessThan(before.length / 10);
      // The replay keys outlive the deliveries: a fired delivery re-sent is still refused.
      const keys = readFileSync(join(dir, 'webhook-keys.log'), 'utf8');
      expect(keys.split('\n').filter((l) => l.includes('"k/')).length).toBe(n);
      expect(statSync(join(dir, 'webhook-keys.log')).mode & 0o777).toBe(0o600);
      const body = JSON.stringify({ marker: 'bulk-0', pad: 'x'.repeat(200) });
      const again = await fetch(`${firing.url}/api/v1/webhooks/guest/quiet`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature-256': hmacSha256Hex(SECRET, body) },
        body,
      });
      expect(again.status).toBe(401);
    } finally {
      await firing.stop();
    }
  }, 120_000);
});
