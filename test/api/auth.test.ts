import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryEntityStore } from '../../src/adapters/store/memory/index.js';
import { Authenticator, ensureSubject } from '../../src/api/auth/authenticator.js';
import { hashKey, verifyKey } from '../../src/domain/key-hash.js';
import { isWhirlError } from '../../src/errors/whirl-error.js';
import type { Clock } from '../../src/ports/clock.js';
import { type Api, basic, expectError, hello, startApi } from './harness.js';

describe('authentication and namespaces', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  it('refuses a request without credentials with 401 and a WWW-Authenticate challenge', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/namespaces' });
    expect(expectError(res, 401).error).toBe('The supplied authentication is invalid.');
    expect(res.headers['www-authenticate']).toBe('Basic realm="whirl"');
  });

  it('refuses a wrong key, an unknown uuid and a malformed header with 401', async () => {
    const [uuid] = api.key.split(':');
    for (const authorization of [
      basic(`${uuid}:${'x'.repeat(64)}`),
      basic(`${randomUUID()}:${'x'.repeat(64)}`),
      'Basic !!!',
      'Bearer abc',
      basic('no-colon'),
    ]) {
      expectError(await api.app.inject({ method: 'GET', url: '/api/v1/namespaces', headers: { authorization } }), 401);
    }
  });

  it('lists exactly the caller namespace', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/namespaces', headers: { authorization: api.auth } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([api.namespace]);
  });

  it('accepts `_` and the caller own namespace in paths, and refuses any other namespace with 403', async () => {
    const h = { authorization: api.auth };
    const own = await api.app.inject({ method: 'GET', url: `/api/v1/namespaces/${api.namespace}/actions`, headers: h });
    expect(own.statusCode).toBe(200);
    const other = `other-${randomUUID()}`;
    for (const url of [
      `/api/v1/namespaces/${other}/actions`,
      `/api/v1/namespaces/${other}/actions/a`,
      `/api/v1/namespaces/${other}/activations`,
    ]) {
      expectError(await api.app.inject({ method: 'GET', url, headers: h }), 403);
    }
    expectError(
      await api.app.inject({ method: 'PUT', url: `/api/v1/namespaces/${other}/actions/a`, headers: h, payload: hello }),
      403,
    );
  });

  it("keeps namespaces apart: another subject's `_` does not see the caller's actions", async () => {
    const put = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/namespaces/_/actions/mine',
      headers: { authorization: api.auth },
      payload: hello,
    });
    expect(put.statusCode).toBe(200);
    const stranger = await api.addSubject(`stranger-${randomUUID()}`);
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/namespaces/_/actions/mine', headers: { authorization: stranger } });
    expectError(res, 404);
    const viaPath = await api.app.inject({
      method: 'POST',
      url: `/api/v1/namespaces/${api.namespace}/actions/mine`,
      headers: { authorization: stranger },
    });
    expectError(viaPath, 403);
  });
});

describe('key hashing', () => {
  it('stores keys as scrypt$salt$hash and verifies only the right key', async () => {
    const stored = await hashKey('secret');
    expect(stored).toMatch(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(stored).not.toContain('secret');
    expect(await verifyKey('secret', stored)).toBe(true);
    expect(await verifyKey('Secret', stored)).toBe(false);
    expect(await hashKey('secret')).not.toBe(stored); // random salt
  });

  it('never verifies against a malformed hash', async () => {
    expect(await verifyKey('k', 'plain')).toBe(false);
    expect(await verifyKey('k', 'scrypt$00$00')).toBe(false);
  });
});

describe('Authenticator', () => {
  const namespace = `ns-${randomUUID()}`;
  const uuid = randomUUID();
  const key = 'k'.repeat(64);

  it('caches a verified key for its TTL, then reads the store again', async () => {
    const entities = new MemoryEntityStore();
    await ensureSubject(entities, { namespace, uuid, key });
    let now = 1_000;
    const clock: Clock = { now: () => now, setTimeout: () => ({ cancel() {} }) };
    const auth = new Authenticator(entities, clock, { ttlMs: 5_000 });
    const get = vi.spyOn(entities, 'get');
    const header = basic(`${uuid}:${key}`);
    expect(await auth.authenticate(header)).toEqual({ namespace, subject: namespace, uuid });
    const reads = get.mock.calls.length;
    expect(reads).toBeGreaterThan(0);
    await auth.authenticate(header);
    expect(get.mock.calls.length).toBe(reads);
    now += 5_001;
    await auth.authenticate(header);
    expect(get.mock.calls.length).toBeGreaterThan(reads);
  });

  it('rejects with WHIRL_UNAUTHENTICATED and does not cache failures', async () => {
    const entities = new MemoryEntityStore();
    await ensureSubject(entities, { namespace, uuid, key });
    const auth = new Authenticator(entities, { now: () => 0, setTimeout: () => ({ cancel() {} }) });
    const wrong = basic(`${uuid}:${'w'.repeat(64)}`);
    await expect(auth.authenticate(wrong)).rejects.toSatisfy((e) => isWhirlError(e, 'WHIRL_UNAUTHENTICATED'));
    await expect(auth.authenticate(undefined)).rejects.toSatisfy((e) => isWhirlError(e, 'WHIRL_UNAUTHENTICATED'));
  });

  it('ensureSubject is idempotent and rotates a changed key', async () => {
    const entities = new MemoryEntityStore();
    await ensureSubject(entities, { namespace, uuid, key });
    const first = await entities.get('subjects', namespace, uuid);
    await ensureSubject(entities, { namespace, uuid, key });
    expect((await entities.get('subjects', namespace, uuid))?.rev).toBe(first?.rev);
    await ensureSubject(entities, { namespace, uuid, key: 'n'.repeat(64) });
    const auth = new Authenticator(entities, { now: () => 0, setTimeout: () => ({ cancel() {} }) });
    await expect(auth.authenticate(basic(`${uuid}:${key}`))).rejects.toSatisfy((e) => isWhirlError(e));
    expect((await auth.authenticate(basic(`${uuid}:${'n'.repeat(64)}`))).namespace).toBe(namespace);
  });
});
