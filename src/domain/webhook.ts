import { createHmac } from 'node:crypto';
import { WhirlError } from '../errors/whirl-error.js';
import { isRecord } from './activation.js';
import { kvGet, type KeyValue } from './key-value.js';
import { sameSecret } from './same-secret.js';

/**
 * Webhook triggers: a trigger annotated `webhook` gets a URL that outside services post to. Signatures are checked
 * on the raw body bytes, before anything parses them. Pure (crypto only).
 *
 * The annotation's value: `{"type": "github" | "stripe" | "hmac", "secret": "…", "header"?: "…", "tolerance"?: s}`.
 * - github: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`.
 * - stripe: `Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=…]`; the timestamp must be
 *   within `tolerance` seconds of now (default 300, Stripe's).
 * - hmac: `<header>: [sha256=]<hex HMAC-SHA256(secret, body)>` (header default `x-signature-256`).
 *
 * The replay key is made of signed material only — the verified signature (and Stripe's signed timestamp) — never
 * of an unsigned header such as `X-GitHub-Delivery` or `X-Webhook-Id`, which anyone replaying a captured delivery
 * can change. So the same signed body is accepted once per replay window, whatever else the request carries.
 */
export type WebhookType = 'github' | 'stripe' | 'hmac';

export interface WebhookConfig {
  type: WebhookType;
  secret: string;
  header: string;
  toleranceSec: number;
}

export const WEBHOOK_ANNOTATION = 'webhook';

const FIELDS = new Set(['type', 'secret', 'header', 'tolerance']);

/** Parses a `webhook` annotation's value; 400 WHIRL_WEBHOOK_CONFIG naming the field that is wrong. */
export function parseWebhookConfig(value: unknown, defaultToleranceSec: number): WebhookConfig {
  if (!isRecord(value)) throw invalid('webhook must be an object with type and secret');
  const unknown = Object.keys(value).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) throw invalid(`webhook.${unknown.slice(0, 64)} is not a known field (type, secret, header, tolerance)`);
  const { type, secret, header, tolerance } = value;
  if (type !== 'github' && type !== 'stripe' && type !== 'hmac') throw invalid('webhook.type must be github, stripe or hmac');
  if (secret === undefined) throw invalid('webhook.secret is required');
  if (typeof secret !== 'string') throw invalid('webhook.secret must be a string');
  if (secret.trim().length === 0) throw invalid('webhook.secret must not be empty');
  if (header !== undefined && (typeof header !== 'string' || !/^[\w-]{1,128}$/.test(header))) {
    throw invalid('webhook.header must be a header name');
  }
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || !(tolerance > 0))) {
    throw invalid('webhook.tolerance must be a positive number of seconds');
  }
  const defaultHeader = type === 'github' ? 'x-hub-signature-256' : type === 'stripe' ? 'stripe-signature' : 'x-signature-256';
  return {
    type,
    secret,
    header: (header ?? defaultHeader).toLowerCase(),
    toleranceSec: tolerance ?? defaultToleranceSec,
  };
}

/** Trigger create and update: a `webhook` annotation must be one that can verify deliveries. */
export function validateWebhookAnnotation(annotations: readonly KeyValue[]): void {
  const value = kvGet(annotations, WEBHOOK_ANNOTATION);
  if (value !== undefined) parseWebhookConfig(value, 1);
}

function invalid(why: string): WhirlError {
  return new WhirlError('WHIRL_WEBHOOK_CONFIG', [why]);
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
      return { replayKey: `sig:${hex.toLowerCase()}` };
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
      return { replayKey: `sig:${hex.toLowerCase()}` };
    }
  }
}

/** Constant-time comparison of a given hex digest with the expected one (case-insensitive). */
function sameHex(given: string, expected: string): boolean {
  return sameSecret(given.toLowerCase(), expected);
}
