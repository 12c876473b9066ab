import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../src/domain/webhook.js';
import { ErrorCodes } from '../../src/errors/codes.js';
import { WhirlError } from '../../src/errors/whirl-error.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { GUEST_KEY, startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

const ECHO = 'function main(p){return p}';
const GITHUB_SECRET = "It's a Secret to Everybody";
const STRIPE_SECRET = 'whsec_test';

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** An action, a trigger with a webhook annotation, and a rule between them. */
async function setUp(api: Call, name: string, webhook: Record<string, unknown>): Promise<void> {
  const steps: Array<[string, unknown]> = [
    [`actions/${name}-act`, { exec: { kind: 'nodejs:default', code: ECHO } }],
    [`triggers/${name}`, { annotations: [{ key: 'webhook', value: webhook }] }],
    [`rules/${name}-rule`, { trigger: `/_/${name}`, action: `/_/${name}-act` }],
  ];
  for (const [path, body] of steps) {
    const res = await api('PUT', `/api/v1/namespaces/_/${path}?overwrite=true`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

function github(body: string, delivery = randomUUID()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': delivery,
    'x-hub-signature-256': `sha256=${hmacSha256Hex(GITHUB_SECRET, body)}`,
  };
}

function stripe(body: string, t: number): Record<string, string> {
  return { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${hmacSha256Hex(STRIPE_SECRET, `${t}.${body}`)}` };
}

async function post(url: string, path: string, headers: Record<string, string>, body: string) {
  const res = await fetch(`${url}/api/v1/webhooks/${path}`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as any };
}

/** The result of the rule's action run by the fired trigger whose payload carries `marker`. */
async function firedWith(api: Call, action: string, marker: string, ms = 20_000): Promise<any> {
  return eventually(async () => {
    const list = await api('GET', `/api/v1/namespaces/_/activations?name=${action}&docs=true&limit=50`);
    return (list.body as any[]).find((r) => r.response?.result?.marker === marker)?.response.result;
  }, ms, 200);
}

describe('webhook triggers (embedded Whirl)', () => {
  let whirl: TestWhirl;
  const call: Call = (m, p, b) => whirl.api(m, p, b);
  beforeAll(async () => {
    whirl = await startTestWhirl('embedded');
    await setUp(call, 'gh', { type: 'github', secret: GITHUB_SECRET });
    await setUp(call, 'st', { type: 'stripe', secret: STRIPE_SECRET, tolerance: 60 });
    expect((await call('PUT', '/api/v1/namespaces/_/triggers/plain', {})).status).toBe(200);
  });
  afterAll(async () => {
    await whirl?.stop();
  });

  it('a correctly signed GitHub delivery is accepted (202) and fires the trigger with payload and headers', async () => {
    const body = JSON.stringify({ marker: 'gh-1', ref: 'refs/heads/main' });
    const res = await post(whirl.url, 'guest/gh', github(body), body);
    expect(res.status).toBe(202);
    expect(res.body.deliveryId).toMatch(/^[0-9a-f]{32}$/);
    const result = await firedWith(call, 'gh-act', 'gh-1');
    expect(result.ref).toBe('refs/heads/main');
    expect(result.__ow_headers['x-github-event']).toBe('push');
  });

  it('refuses wrong, missing and replayed GitHub signatures with 401', async () => {
    const body = JSON.stringify({ marker: 'gh-bad' });
    const wrong = { ...github(body), 'x-hub-signature-256': `sha256=${hmacSha256Hex('guess', body)}` };
    expect((await post(whirl.url, 'guest/gh', wrong, body)).status).toBe(401);
    const { 'x-hub-signature-256': _gone, ...unsigned } = github(body);
    expect((await post(whirl.url, 'guest/gh', unsigned, body)).status).toBe(401);
    const tampered = github(body);
    expect((await post(whirl.url, 'guest/gh', tampered, `${body} `)).status).toBe(401);

    const again = JSON.stringify({ marker: 'gh-replay' });
    const headers = github(again);
    expect((await post(whirl.url, 'guest/gh', headers, again)).status).toBe(202);
    const replay = await post(whirl.url, 'guest/gh', headers, again);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toMatch(new RegExp(`^${ErrorCodes.WHIRL_WEBHOOK_REPLAY.message.slice(0, 20)}`));
  });

  it('Stripe-style: a fresh signature fires; stale, wrong and replayed ones are 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ marker: 'st-1', type: 'charge.succeeded' });
    expect((await post(whirl.url, 'guest/st', stripe(body, now), body)).status).toBe(202);
    expect((await firedWith(call, 'st-act', 'st-1')).type).toBe('charge.succeeded');
    expect((await post(whirl.url, 'guest/st', stripe(body, now), body)).status).toBe(401);
    const stale = JSON.stringify({ marker: 'st-stale' });
    const staleRes = await post(whirl.url, 'guest/st', stripe(stale, now - 120), stale);
    expect(staleRes.status).toBe(401);
    expect(staleRes.body.error).toBe(ErrorCodes.WHIRL_WEBHOOK_STALE.message.replace('{0}', '60'));
    const forged = { ...stripe(stale, now), 'stripe-signature': `t=${now},v1=${'0'.repeat(64)}` };
    expect((await post(whirl.url, 'guest/st', forged, stale)).status).toBe(401);
  });

  it('a webhook fires a composition end to end (rule → composition → its actions)', async () => {
    const put = async (path: string, body: unknown) => {
      const res = await call('PUT', `/api/v1/namespaces/_/${path}?overwrite=true`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await put('actions/inc', { exec: { kind: 'nodejs:default', code: 'function main(p){return {x:p.x+1, marker:p.marker}}' } });
    await put('actions/double', { exec: { kind: 'nodejs:default', code: 'function main(p){return {x:p.x*2, marker:p.marker}}' } });
    const steps = [
      { type: 'task', action: 'inc' },
      { type: 'task', action: 'double' },
    ];
    await put('compositions/hookflow', { definition: { whirl: '1', root: { type: 'sequence', steps } } });
    await put('triggers/flowhook', { annotations: [{ key: 'webhook', value: { type: 'hmac', secret: 'k' } }] });
    await put('rules/flowrule', { trigger: '/_/flowhook', action: '/_/hookflow' });

    const body = JSON.stringify({ x: 2, marker: 'flow-1' });
    const res = await post(whirl.url, 'guest/flowhook', { 'content-type': 'application/json', 'x-signature-256': hmacSha256Hex('k', body) }, body);
    expect(res.status).toBe(202);
    expect(await firedWith(call, 'hookflow', 'flow-1', 30_000)).toMatchObject({ x: 6 });
  }, 40_000);

  it('is 404 for unknown triggers and triggers without a webhook annotation', async () => {
    const body = '{}';
    expect((await post(whirl.url, 'guest/nope', github(body), body)).status).toBe(404);
    expect((await post(whirl.url, 'guest/plain', github(body), body)).status).toBe(404);
    expect((await post(whirl.url, 'other-ns/gh', github(body), body)).status).toBe(404);
  });
});

describe('webhook fire throttle', () => {
  let whirl: TestWhirl;
  beforeAll(async () => {
    whirl = await startTestWhirl('embedded', { WHIRL_THROTTLE_FIRES_PER_MINUTE: '2' });
    await setUp((m, p, b) => whirl.api(m, p, b), 'gh', { type: 'github', secret: GITHUB_SECRET });
  });
  afterAll(async () => {
    await whirl?.stop();
  });

  it('accepts exactly firesPerMinute deliveries, then 429 (the sender retries later); REST fires count too', async () => {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 10_000) await new Promise((r) => setTimeout(r, left + 100));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const body = JSON.stringify({ marker: `t-${i}` });
      statuses.push((await post(whirl.url, 'guest/gh', github(body), body)).status);
    }
    expect(statuses).toEqual([202, 202, 429]);
    // REST fires share the namespace's fire budget.
    const fired = await whirl.api('POST', '/api/v1/namespaces/_/triggers/gh', { marker: 'rest' });
    expect(fired.status).toBe(429);
    expect(fired.body.error).toBe(new WhirlError('WHIRL_THROTTLED_RATE', [4, 2]).message);
  });
});

/**
 * "A delivery accepted with 2xx is never lost, even if the engine stops right after": the first process accepts
 * (its worker is off, so nothing can have fired it) and is killed with SIGKILL right after the 202; a second
 * process on the same Redis / data directory fires it.
 */
async function survivesKill(env: Record<string, string>): Promise<void> {
  let proc: WhirlProcess | undefined = await startWhirlProcess({ ...env, WHIRL_WEBHOOK_WORKER: 'false' });
  try {
    const auth = `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`;
    const callOn = (url: string): Call => async (method, path, body) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: await res.json() };
    };
    await setUp(callOn(proc.url), 'gh', { type: 'github', secret: GITHUB_SECRET });
    const body = JSON.stringify({ marker: 'survivor' });
    expect((await post(proc.url, 'guest/gh', github(body), body)).status).toBe(202);
    await proc.kill();
    proc = await startWhirlProcess(env);
    const result = await firedWith(callOn(proc.url), 'gh-act', 'survivor', 30_000);
    expect(result.marker).toBe('survivor');
  } finally {
    await proc?.stop();
  }
}

describe('webhook deliveries survive the engine being killed right after the 202', () => {
  it('embedded default (file store: the inbox is an fsync-ed log in the data directory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whirl-test-'));
    try {
      await survivesKill({ WHIRL_STORE: 'file', WHIRL_DATA_DIR: dir, WHIRL_QUEUE: 'memory' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describeWith(['redis'], 'webhook deliveries survive a kill (Redis inbox)', () => {
  it('Redis stream inbox beside the BullMQ queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whirl-test-'));
    const queue = `whirl-test-${randomUUID().slice(0, 8)}`;
    try {
      await survivesKill({ WHIRL_STORE: 'file', WHIRL_DATA_DIR: dir, WHIRL_QUEUE: 'bullmq', WHIRL_REDIS_URL: serviceUrl('redis') ?? '', WHIRL_QUEUE_NAME: queue });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      const redis = new Redis(serviceUrl('redis') ?? '');
      const keys = await redis.keys(`${queue}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  }, 90_000);
});

describeWith(['kafka', 'couchdb'], 'webhook deliveries survive a kill (Kafka deployment: inbox in CouchDB, no Redis)', () => {
  it('CouchDB inbox beside the Kafka queue (WHIRL_COORDINATION defaults to store)', async () => {
    const id = randomUUID().slice(0, 8);
    const cleanup = async () => {
      const server = nano(serviceUrl('couchdb') ?? '');
      for (const db of ['entities', 'activations', 'executions', 'coordination']) {
        await server.db.destroy(`whirl_test_${id}_${db}`).catch(() => {});
      }
    };
    await survivesKill({
      WHIRL_QUEUE: 'kafka',
      WHIRL_KAFKA_BROKERS: serviceUrl('kafka') ?? '',
      WHIRL_KAFKA_PARTITIONS: '2',
      WHIRL_QUEUE_NAME: `whirl-test-${id}`,
      WHIRL_STORE: 'couchdb',
      WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
      WHIRL_COUCHDB_PREFIX: `whirl_test_${id}_`,
      // Nothing listens there: the deployment must not need Redis.
      WHIRL_REDIS_URL: 'redis://127.0.0.1:1',
    }).finally(cleanup);
  }, 120_000);
});
