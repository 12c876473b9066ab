import { randomUUID } from 'node:crypto';

/** 32 lowercase hex characters, as OpenWhisk's `ActivationId` (a UUID without dashes). */
export type ActivationId = string & { readonly __brand: 'ActivationId' };

const ACTIVATION_ID = /^[0-9a-f]{32}$/;

export function newActivationId(): ActivationId {
  return randomUUID().replaceAll('-', '') as ActivationId;
}

/** The only way from an untrusted string to an ActivationId. */
export function parseActivationId(raw: string): ActivationId | undefined {
  return ACTIVATION_ID.test(raw) ? (raw as ActivationId) : undefined;
}

/** Transaction ids travel in `X-Request-ID` and in every error body's `code`. */
export function newTransactionId(): string {
  return randomUUID().replaceAll('-', '');
}
