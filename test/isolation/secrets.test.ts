import { createHmac, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CouchEntityStore } from '../../src/adapters/store/couchdb/couch-entity-store.js';
import { ensureSubject } from '../../src/api/auth/authenticator.js';
import { describeWith, nodejsImage, serviceUrl } from '../helpers/services.js';
import { eventually } from '../helpers/whirl.js';
import { startCapturedWhirl, type CapturedWhirl } from './captured-whirl.js';
import { createTestNetwork } from './test-network.js';
import { startTwoTenants, tenant, type Tenant, type TwoTenants } from './tenants.js';

/** Issue 8, isolation: keys are stored only as hashes, and no key or secret ever reaches the logs. */

const b64 = (s: string) => Buffer.from(s).toString('base64');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('keys at rest in the file store', () => {
  let t: TwoTenants;
  beforeAll(async () => {
    t = await startTwoTenants('embedded');
    // Authenticate once each, so any cache or index the API keeps has been written too.
    for (const who of [t.alice, t.bob]) expect((await t.whirl.api('GET', '/api/v1/namespaces', undefined, who.auth)).status).toBe(200);
  }, 30_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('holds scrypt hashes, never a key', () => {
    const bytes = filesUnder(t.dataDir).map((f) => readFileSync(f, 'latin1')).join('\n');
    expect(bytes).toContain(t.alice.uuid); // the subject docs are there…
    for (const who of [t.alice, t.bob]) {
      expect(bytes).not.toContain(who.key); // …but not the keys
      expect(bytes).not.toContain(b64(who.auth));
    }
    expect(bytes).not.toContain(t.whirl.auth.split(':')[1]!);
    expect(bytes).toMatch(/"keyHash":"scrypt/);
  });
});

describeWith(['couchdb'], 'keys at rest in CouchDB', () => {
  let t: TwoTenants;
  beforeAll(async () => {
    t = await startTwoTenants('full', { WHIRL_CONTAINERS: 'process', WHIRL_QUEUE: 'memory', WHIRL_COORDINATION: 'store' });
  }, 30_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('holds scrypt hashes, never a key', async () => {
    const res = await fetch(`${serviceUrl('couchdb')}/${t.couchPrefix}entities/_all_docs?include_docs=true`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain(t.alice.uuid);
    for (const who of [t.alice, t.bob]) expect(text).not.toContain(who.key);
    expect(text).not.toContain(t.whirl.auth.split(':')[1]!);
    expect(text).toMatch(/"keyHash":"scrypt/);
  });
});

describeWith(['redis', 'couchdb', 'docker'], 'secrets never reach the logs (debug level, production adapters)', () => {
  const id = randomUUID().slice(0, 8);
  const guest = tenant('guest');
  const alice: Tenant = tenant(`alice-${id}`);
  const secrets = {
    password: `pw-${randomUUID()}`,
    apiKey: `ak-${randomUUID()}`,
    defaultParam: `dp-${randomUUID()}`,
    webhook: `wh-${randomUUID()}`,
  };
  let w: CapturedWhirl;
  let network: Awaited<ReturnType<typeof createTestNetwork>> | undefined;
  const call = async (method: string, path: string, body?: unknown, auth: string | null = alice.auth, extra: Record<string, string> = {}) => {
    const headers: Record<string, string> = { ...extra };
    if (auth !== null) headers.authorization = `Basic ${b64(auth)}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${w.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
  };

  beforeAll(async () => {
    const prefix = `whirl_test_isolog_${id}_`;
    const store = await CouchEntityStore.open({ url: serviceUrl('couchdb') ?? '', prefix });
    await ensureSubject(store, { namespace: alice.namespace, uuid: alice.uuid, key: alice.key });
    await store.close();
    network = await createTestNetwork();
    w = await startCapturedWhirl({
      WHIRL_CONTAINER_NETWORK: network.name,
      WHIRL_LOG_LEVEL: 'debug',
      WHIRL_PRINT_KEY: 'false',
      WHIRL_GUEST_KEY: guest.auth,
      WHIRL_QUEUE: 'bullmq',
      WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
      WHIRL_QUEUE_NAME: `whirl-test-isolog-${id}`,
      WHIRL_STORE: 'couchdb',
      WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
      WHIRL_COUCHDB_PREFIX: prefix,
      WHIRL_CONTAINERS: 'docker',
      WHIRL_DOCKER_SOCKET: serviceUrl('docker') ?? '',
      WHIRL_NODEJS_IMAGE: nodejsImage(),
      WHIRL_INVOKER_ID: `isolog${id}`,
      WHIRL_PREWARM: '',
    });
  }, 60_000);
  afterAll(async () => {
    await w?.stop();
    await network?.remove();
  });

  it('after auth failures, invokes with secret parameters and signed webhooks, no secret is in the output', async () => {
    const ns = '/api/v1/namespaces/_';
    // Auth failures: a wrong key for a real uuid, a real key under another uuid, garbage, and a foreign namespace.
    expect((await call('GET', `${ns}/actions`, undefined, `${alice.uuid}:${guest.key}`)).status).toBe(401);
    expect((await call('GET', `${ns}/actions`, undefined, `${randomUUID()}:${alice.key}`)).status).toBe(401);
    expect((await call('GET', `${ns}/actions`, undefined, null, { authorization: `Basic ${alice.key}` })).status).toBe(401);
    expect((await call('GET', '/api/v1/namespaces/guest/actions')).status).toBe(403);

    const code = `function main(p) { if (p.fail) throw new Error('failing on purpose'); return { ok: Object.keys(p).length }; }`;
    const put = await call('PUT', `${ns}/actions/holder`, {
      exec: { kind: 'nodejs:default', code },
      parameters: [{ key: 'token', value: secrets.defaultParam }],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const params = { password: secrets.password, api_key: secrets.apiKey };
    const ran = await call('POST', `${ns}/actions/holder?blocking=true`, params);
    expect(ran.status, JSON.stringify(ran.body) + w.output().split('\n').filter((l) => /"level":(40|50)/.test(l)).join('\n')).toBe(200);
    expect((await call('POST', `${ns}/actions/holder?blocking=true`, { ...params, fail: true })).status).toBe(502);
    const accepted = await call('POST', `${ns}/actions/holder`, params);
    expect(accepted.status).toBe(202);

    expect((await call('PUT', `${ns}/triggers/hook`, { annotations: [{ key: 'webhook', value: { type: 'hmac', secret: secrets.webhook } }] })).status).toBe(200);
    expect((await call('PUT', `${ns}/rules/hook-holder`, { trigger: '/_/hook', action: '/_/holder' })).status).toBe(200);
    const body = JSON.stringify({ password: secrets.password });
    const sig = `sha256=${createHmac('sha256', secrets.webhook).update(body).digest('hex')}`;
    const hook = (signature: string) =>
      fetch(`${w.url}/api/v1/webhooks/${alice.namespace}/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature-256': signature, 'x-webhook-id': randomUUID() },
        body,
      });
    expect((await hook(sig)).status).toBe(202);
    expect((await hook(`sha256=${'0'.repeat(64)}`)).status).toBe(401);

    // Wait for the non-blocking invoke and the webhook's rule activation to finish, so their paths were logged too.
    await eventually(async () => {
      const r = await call('GET', `${ns}/activations?name=holder&limit=50`);
      return Array.isArray(r.body) && r.body.length >= 4 ? true : undefined;
    }, 30_000, 250);

    const logs = w.output();
    if (process.env.WHIRL_TEST_DUMP_LOGS) console.log(logs);
    expect(logs).toMatch(/"level":20/); // debug lines really were written
    const forbidden = {
      aliceKey: alice.key,
      aliceBasic: b64(alice.auth),
      guestKey: guest.key,
      guestBasic: b64(guest.auth),
      ...secrets,
    };
    const found = Object.entries(forbidden).filter(([, v]) => logs.includes(v)).map(([k]) => k);
    expect(found).toEqual([]);
  }, 90_000);
});
