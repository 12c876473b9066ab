import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { isWhirlError } from '../../../src/errors/whirl-error.js';

describe('loadConfig', () => {
  it('gives the embedded defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.queue.adapter).toBe('file');
    expect(c.store.adapter).toBe('file');
    expect(c.invoker.containers).toBe('process');
    expect(c.limits.timeout.default).toBe(60_000);
    expect(c.guest.uuid).toBe('23bc46b1-71f6-4ed5-8c54-816aa4f8c502');
  });
  it('switches adapters by configuration alone', () => {
    const c = loadConfig({ WHIRL_QUEUE: 'bullmq', WHIRL_STORE: 'couchdb', WHIRL_CONTAINERS: 'docker', WHIRL_PORT: '9999' });
    expect([c.queue.adapter, c.store.adapter, c.invoker.containers, c.http.port]).toEqual(['bullmq', 'couchdb', 'docker', 9999]);
  });
  it('refuses a bad value naming the variable', () => {
    try {
      loadConfig({ WHIRL_QUEUE: 'carrier-pigeon' });
      expect.unreachable();
    } catch (e) {
      expect(isWhirlError(e, 'WHIRL_BAD_REQUEST')).toBe(true);
      expect((e as Error).message).toContain('WHIRL_QUEUE');
    }
  });
});
