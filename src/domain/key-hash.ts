import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Auth keys are stored only as `scrypt$<salt hex>$<hash hex>`. scrypt is deliberately slow (tens of ms), so callers
 * must not verify on every request: the API caches verified keys (see api/auth/authenticator.ts).
 */
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
const COST = { N: 16384, r: 8, p: 1 } as const;

function derive(key: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(key, salt, KEY_LENGTH, COST, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

export async function hashKey(key: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(key, salt);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

/** Constant-time comparison; a malformed stored hash never verifies. */
export async function verifyKey(key: string, stored: string): Promise<boolean> {
  const [scheme, saltHex, hashHex] = stored.split('$');
  if (scheme !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await derive(key, Buffer.from(saltHex, 'hex'));
  return timingSafeEqual(actual, expected);
}
