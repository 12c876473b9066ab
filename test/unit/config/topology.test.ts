import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { isWhirlError } from '../../../src/errors/whirl-error.js';

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(isWhirlError(e, 'WHIRL_BAD_REQUEST')).toBe(true);
    return (e as Error).message;
  }
  throw new Error(`not refused: ${JSON.stringify(env)}`);
}

describe('coordination setting', () => {
  it('follows the deployment by default: redis with BullMQ, the store with CouchDB, local otherwise', () => {
    expect(loadConfig({}).coordination.mode).toBe('local');
    expect(loadConfig({ WHIRL_QUEUE: 'bullmq', WHIRL_STORE: 'couchdb' }).coordination.mode).toBe('redis');
    expect(loadConfig({ WHIRL_QUEUE: 'kafka', WHIRL_STORE: 'couchdb' }).coordination.mode).toBe('store');
    expect(loadConfig({ WHIRL_QUEUE: 'kafka', WHIRL_STORE: 'file' }).coordination.mode).toBe('local');
    expect(loadConfig({ WHIRL_QUEUE: 'kafka', WHIRL_STORE: 'couchdb', WHIRL_COORDINATION: 'redis' }).coordination.mode).toBe(
      'redis',
    );
  });

  it('holds the Redis URL outside the queue settings (feeds and throttles use it too)', () => {
    const c = loadConfig({ WHIRL_REDIS_URL: 'redis://r:1', WHIRL_COORDINATION: 'redis' });
    expect(c.redis.url).toBe('redis://r:1');
    expect('redisUrl' in c.queue).toBe(false);
  });

  it('accepts the production topologies, split into API and invokers', () => {
    for (const queue of ['bullmq', 'kafka']) {
      for (const role of ['api', 'invoker', 'all']) {
        expect(loadConfig({ WHIRL_QUEUE: queue, WHIRL_STORE: 'couchdb', WHIRL_ROLE: role }).role).toBe(role);
      }
    }
  });

  it('refuses combinations that break a guarantee, saying which and why', () => {
    expect(refusal({ WHIRL_QUEUE: 'kafka', WHIRL_STORE: 'memory' })).toMatch(/WHIRL_STORE=memory with WHIRL_QUEUE=kafka.*records/);
    expect(refusal({ WHIRL_QUEUE: 'bullmq', WHIRL_STORE: 'couchdb', WHIRL_COORDINATION: 'local' })).toMatch(
      /WHIRL_COORDINATION=local with WHIRL_STORE=couchdb: the webhook inbox would be in memory/,
    );
    expect(refusal({ WHIRL_QUEUE: 'kafka', WHIRL_STORE: 'couchdb', WHIRL_ROLE: 'api', WHIRL_COORDINATION: 'local' })).toMatch(
      /WHIRL_COORDINATION=local with WHIRL_ROLE=api/,
    );
    expect(refusal({ WHIRL_ROLE: 'invoker' })).toMatch(/WHIRL_QUEUE=file/);
    expect(refusal({ WHIRL_ROLE: 'api', WHIRL_QUEUE: 'memory' })).toMatch(/WHIRL_QUEUE=memory/);
    expect(refusal({ WHIRL_QUEUE: 'bullmq', WHIRL_ROLE: 'invoker' })).toMatch(/WHIRL_STORE=file with WHIRL_ROLE=invoker/);
    expect(refusal({ WHIRL_COORDINATION: 'store' })).toMatch(/WHIRL_COORDINATION=store with WHIRL_STORE=file/);
  });
});
