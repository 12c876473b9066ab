import { describe, expect, it } from 'vitest';
import { hmacSha256Hex, parseWebhookConfig, verifyWebhook } from '../../../src/domain/webhook.js';
import { WhirlError } from '../../../src/errors/whirl-error.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof WhirlError) return e.code;
    throw e;
  }
}

const NOW = 1_700_000_000_000;
const body = Buffer.from('{"action":"opened"}');

describe('webhook signatures', () => {
  it("matches GitHub's published test vector", () => {
    expect(hmacSha256Hex("It's a Secret to Everybody", Buffer.from('Hello, World!'))).toBe(
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
    const config = parseWebhookConfig({ type: 'github', secret: "It's a Secret to Everybody" }, 300);
    const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
    expect(verifyWebhook(config, Buffer.from('Hello, World!'), headers, NOW).replayKey).toMatch(/^sig:757107ea/);
    expect(code(() => verifyWebhook(config, Buffer.from('Hello, World?'), headers, NOW))).toBe('WHIRL_WEBHOOK_SIGNATURE');
  });

  it('github: refuses missing, malformed and wrong signatures; the replay key is the signature, never the delivery id', () => {
    const config = parseWebhookConfig({ type: 'github', secret: 's3cret' }, 300);
    const hex = hmacSha256Hex('s3cret', body);
    const good = `sha256=${hex}`;
    expect(verifyWebhook(config, body, { 'x-hub-signature-256': good, 'x-github-delivery': 'abc' }, NOW)).toEqual({ replayKey: `sig:${hex}` });
    expect(verifyWebhook(config, body, { 'x-hub-signature-256': good.toUpperCase().replace('SHA256', 'sha256'), 'x-github-delivery': 'new' }, NOW)).toEqual({ replayKey: `sig:${hex}` });
    expect(verifyWebhook(config, body, { 'x-hub-signature-256': good }, NOW)).toEqual({ replayKey: `sig:${hex}` });
    expect(code(() => verifyWebhook(config, body, {}, NOW))).toBe('WHIRL_WEBHOOK_SIGNATURE');
    expect(code(() => verifyWebhook(config, body, { 'x-hub-signature-256': 'sha1=abc' }, NOW))).toBe('WHIRL_WEBHOOK_SIGNATURE');
    const wrong = `sha256=${hmacSha256Hex('other', body)}`;
    expect(code(() => verifyWebhook(config, body, { 'x-hub-signature-256': wrong }, NOW))).toBe('WHIRL_WEBHOOK_SIGNATURE');
  });

  it('stripe: checks v1 over "<t>.<body>" and the tolerance window', () => {
    const config = parseWebhookConfig({ type: 'stripe', secret: 'whsec_x' }, 300);
    const sign = (t: number, secret = 'whsec_x') =>
      `t=${t},v1=${hmacSha256Hex(secret, Buffer.concat([Buffer.from(`${t}.`), body]))},v0=deadbeef`;
    const t = NOW / 1000;
    expect(verifyWebhook(config, body, { 'stripe-signature': sign(t - 299) }, NOW).replayKey).toMatch(/^stripe:/);
    expect(code(() => verifyWebhook(config, body, { 'stripe-signature': sign(t - 301) }, NOW))).toBe('WHIRL_WEBHOOK_STALE');
    expect(code(() => verifyWebhook(config, body, { 'stripe-signature': sign(t + 301) }, NOW))).toBe('WHIRL_WEBHOOK_STALE');
    expect(code(() => verifyWebhook(config, body, { 'stripe-signature': sign(t, 'nope') }, NOW))).toBe('WHIRL_WEBHOOK_SIGNATURE');
    expect(code(() => verifyWebhook(config, body, { 'stripe-signature': `v1=${'a'.repeat(64)}` }, NOW))).toBe('WHIRL_WEBHOOK_SIGNATURE');
    const tight = parseWebhookConfig({ type: 'stripe', secret: 'whsec_x', tolerance: 10 }, 300);
    expect(code(() => verifyWebhook(tight, body, { 'stripe-signature': sign(t - 11) }, NOW))).toBe('WHIRL_WEBHOOK_STALE');
  });

  it('hmac: a configurable header, with or without the sha256= prefix', () => {
    const config = parseWebhookConfig({ type: 'hmac', secret: 'k', header: 'X-My-Sig' }, 300);
    const hex = hmacSha256Hex('k', body);
    expect(verifyWebhook(config, body, { 'x-my-sig': hex }, NOW)).toEqual({ replayKey: `sig:${hex}` });
    expect(verifyWebhook(config, body, { 'x-my-sig': `sha256=${hex}`, 'x-webhook-id': '7' }, NOW)).toEqual({ replayKey: `sig:${hex}` });
    expect(code(() => verifyWebhook(config, body, { 'x-signature-256': hex }, NOW))).toBe('WHIRL_WEBHOOK_SIGNATURE');
  });

  it('refuses invalid configurations, naming the field', () => {
    const cases: Array<[unknown, string]> = [
      [null, 'webhook must be an object'],
      ['x', 'webhook must be an object'],
      [{ type: 'gitlab', secret: 's' }, 'webhook.type'],
      [{ type: 'nope', secret: 's' }, 'webhook.type'],
      [{ secret: 's' }, 'webhook.type'],
      [{ type: 'github' }, 'webhook.secret is required'],
      [{ type: 'github', secret: '' }, 'webhook.secret must not be empty'],
      [{ type: 'github', secret: '   ' }, 'webhook.secret must not be empty'],
      [{ type: 'github', secret: 42 }, 'webhook.secret must be a string'],
      [{ type: 'hmac', secret: 's', header: 'a b' }, 'webhook.header'],
      [{ type: 'stripe', secret: 's', tolerance: -1 }, 'webhook.tolerance'],
      [{ type: 'stripe', secret: 's', tolerance: '60' }, 'webhook.tolerance'],
      [{ type: 'github', secret: 's', secert: 't' }, 'webhook.secert is not a known field'],
    ];
    for (const [bad, field] of cases) {
      let message = '';
      try {
        parseWebhookConfig(bad, 300);
      } catch (e) {
        expect((e as WhirlError).code).toBe('WHIRL_WEBHOOK_CONFIG');
        message = (e as Error).message;
      }
      expect(message, JSON.stringify(bad)).toContain(field);
    }
  });
});
