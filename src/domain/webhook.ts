import { createHmac, timingSafeEqual } from 'node:crypto';
import { WhirlError } from '../errors/whirl-error.js';
import { isRecord } from './activation.js';

/**
 * Webhook triggers: a trigger annotated `webhook` gets a URL that outside services post to. Signatures are checked
 * on the raw body bytes, before anything parses them. Pure (crypto only).
 *
 * The annotation's value: `{"type": "github" | "stripe" | "hmac", "secret": "…", "header"?: "…", "tolerance"?: s}`.
 * - github: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`; replay key `X-GitHub-Delivery`.
 * - stripe: `Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=…]`; the timestamp must be
 *   within `tolerance` seconds of now (default 300, Stripe's); replay key `t` + signature.
 * - hmac: `<header>: [sha256=]<hex HMAC-SHA256(secret, body)>` (header default `x-signature-256`); replay key the
 *   `X-Webhook-Id` header when sent, else the signature (the same body cannot be delivered twice in the window).
 */
export type WebhookType = 'github' | 'stripe' | 'hmac';

export interface WebhookConfig {
  type: WebhookType;
  secret: string;
  header: string;
  toleranceSec: number;
}

export const WEBHOOK_ANNOTATION = 'webhook';

export function parseWebhookConfig(value: unknown, defaultToleranceSec: number): WebhookConfig {
  if (!isRecord(value)) throw new WhirlError('WHIRL_WEBHOOK_CONFIG', ['expected an object']);
  const { type, secret, header, tolerance } = value;
  if (type !== 'github' && type !== 'stripe' && type !== 'hmac') {
    throw new WhirlError('WHIRL_WEBHOOK_CONFIG', ['type must be github, stripe or hmac']);
  }
  if (typeof secret !== 'string' || secret.length === 0) throw new WhirlError('WHIRL_WEBHOOK_CONFIG', ['secret is required']);
  if (header !== undefined && (typeof header !== 'string' || !/^[\w-]+$/.test(header))) {
    throw new WhirlError('WHIRL_WEBHOOK_CONFIG', ['header must be a header name']);
  }
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !(tolerance > 0))) {
    throw new WhirlError('WHIRL_WEBHOOK_CONFIG', ['tolerance must be a positive number of seconds']);
  }
  const defaultHeader = type === 'github' ? 'x-hub-signature-256' : type === 'stripe' ? 'stripe-signature' : 'x-signature-256';
  return {
    type,
    secret,
    header: (header ?? defaultHeader).toLowerCase(),
    toleranceSec: tolerance ?? defaultToleranceSec,
  };
}

export function hmacSha256Hex(secret: string, data: Buffer | string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/**
 * Verifies a delivery and returns its replay key. Throws 401 WHIRL_WEBHOOK_SIGNATURE (missing, malformed or wrong
 * signature) or WHIRL_WEBHOOK_STALE (Stripe timestamp outside the tolerance).
 */
export function verifyWebhook(
  config: WebhookConfig,
  rawBody: Buffer,
  headers: Record<string, string>,
  nowMs: number,
): { replayKey: string } {
  const value = headers[config.header];
  if (!value) throw new WhirlError('WHIRL_WEBHOOK_SIGNATURE', [`no ${config.header} header`]);
  switch (config.type) {
    case 'github': {
      const hex = /^sha256=([0-9a-f]{64})$/i.exec(value.trim())?.[1];
      if (!hex) throw new WhirlError('WHIRL_WEBHOOK_SIGNATURE', ['expected sha256=<hex>']);
      if (!sameHex(hex, hmacSha256Hex(config.secret, rawBody))) throw new WhirlError('WHIRL_WEBHOOK_SIGNATURE', ['mismatch']);
      return { replayKey: headers['x-github-delivery'] ? `gh:${headers['x-github-delivery']}` : `sig:${hex.toLowerCase()}` };
    }
    case 'stripe': {
      const parts = value.split(',').map((p) => p.trim().split('='));
      const t = parts.find(([k]) => k === 't')?.[1];
      const signatures = parts.filter(([k, v]) => k === 'v1' && v !== undefined).map(([, v]) => v!);
      if (!t || !/^\d+$/.test(t) || signatures.length === 0) {
        throw new WhirlError('WHIRL_WEBHOOK_SIGNATURE', ['expected t=<timestamp>,v1=<hex>']);
      }
      const expected = hmacSha256Hex(config.secret, Buffer.concat([Buffer.from(`${t}.`), rawBody]));
      const match = signatures.find((s) => sameHex(s, expected));
      if (!match) throw new WhirlError('WHIRL_WEBHOOK_SIGNATURE', ['no v1 signature matches']);
      if (Math.abs(nowMs / 1000 - Number(t)) > config.toleranceSec) throw new WhirlError('WHIRL_WEBHOOK_STALE', [config.toleranceSec]);
      return { replayKey: `stripe:${t}:${match.toLowerCase()}` };
    }
    case 'hmac': {
      const hex = /^(?:sha256=)?([0-9a-f]{64})$/i.exec(value.trim())?.[1];
      if (!hex) throw new WhirlError('WHIRL_WEBHOOK_SIGNATURE', ['expected [sha256=]<hex>']);
      if (!sameHex(hex, hmacSha256Hex(config.secret, rawBody))) throw new WhirlError('WHIRL_WEBHOOK_SIGNATURE', ['mismatch']);
      const id = headers['x-webhook-id'];
      return { replayKey: id ? `id:${id}` : `sig:${hex.toLowerCase()}` };
    }
  }
}

/** Constant-time comparison of two hex digests (lengths are public). */
function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
