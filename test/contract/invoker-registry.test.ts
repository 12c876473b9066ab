import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import nano from 'nano';
import { afterAll, expect, it } from 'vitest';
import { MemoryInvokerRegistry } from '../../src/adapters/registry/memory-invoker-registry.js';
import { RedisInvokerRegistry } from '../../src/adapters/registry/redis-invoker-registry.js';
import { isWhirlError } from '../../src/errors/whirl-error.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { invokerRegistryContract } from './invoker-registry.contract.js';
import { CouchInvokerRegistry } from '../../src/adapters/registry/couch-invoker-registry.js';
import { testCouchCoordination, UNREACHABLE_COUCH } from '../helpers/couch-coordination.js';

let now = 1_000_000;
const clock = { now: () => now, setTimeout: () => ({ cancel() {} }) };
invokerRegistryContract('memory', {
  make: async (forgetMs) => new MemoryInvokerRegistry({ clock, forgetMs }),
  advance: async (ms) => {
    now += ms;
  },
});

describeWith(['redis'], 'Redis invoker registry', () => {
  const redisUrl = serviceUrl('redis') ?? '';
  const prefix = `whirl-test-${randomUUID()}`;
  const used: string[] = [];
  afterAll(async () => {
    const redis = new Redis(redisUrl);
    for (const p of used) await redis.del(`${p}:invokers:status`, `${p}:invokers:seen`);
    await redis.quit();
  });
  invokerRegistryContract('redis', {
    make: async (forgetMs) => {
      const p = `${prefix}-${randomUUID()}`;
      used.push(p);
      return new RedisInvokerRegistry({ redisUrl, prefix: p, forgetMs });
    },
    advance: (ms) => new Promise((r) => setTimeout(r, ms)),
  });

  it('rejects with WHIRL_QUEUE_UNAVAILABLE when Redis is unreachable', async () => {
    const r = new RedisInvokerRegistry({ redisUrl: 'redis://127.0.0.1:1', prefix, forgetMs: 1000 });
    const err = await r.heartbeat({ id: 'x', memoryMB: 1, freeMB: 1 }).catch((e: unknown) => e);
    expect(isWhirlError(err, 'WHIRL_QUEUE_UNAVAILABLE')).toBe(true);
    await r.close();
  });
});

describeWith(['couchdb'], 'CouchDB invoker registry', () => {
  const options = testCouchCoordination();
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await nano(options.url).db.destroy(`${p}coordination`).catch(() => {});
  });
  invokerRegistryContract('couchdb', {
    // Each registry gets its own database (entries are per prefix), like the Redis ones get their own keys.
    make: async (forgetMs) => {
      const prefix = `${options.prefix}${randomUUID().slice(0, 6)}_`;
      prefixes.push(prefix);
      return new CouchInvokerRegistry({ ...options, prefix, forgetMs });
    },
    advance: (ms) => new Promise((r) => setTimeout(r, ms)),
  });

  it('rejects with WHIRL_QUEUE_UNAVAILABLE when CouchDB is unreachable', async () => {
    const r = new CouchInvokerRegistry({ ...UNREACHABLE_COUCH, forgetMs: 1000 });
    const err = await r.heartbeat({ id: 'x', memoryMB: 1, freeMB: 1 }).catch((e: unknown) => e);
    expect(isWhirlError(err, 'WHIRL_QUEUE_UNAVAILABLE')).toBe(true);
    await r.close();
  });
});
