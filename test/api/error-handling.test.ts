import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/ports/logger.js';
import { WhirlError } from '../../src/errors/whirl-error.js';
import { type Api, expectError, hello, startApi } from './harness.js';

describe('unexpected and store errors', () => {
  let api: Api;
  const logged: Array<{ fields: object; msg?: string }> = [];
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  it('answers an unexpected failure with 500 `Internal server error.`, logs the stack, leaks nothing', async () => {
    // A fresh server over the same stores, whose entity store throws a plain Error on list.
    const { buildServer } = await import('../../src/api/server.js');
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (fields, msg) => logged.push({ fields, ...(msg !== undefined ? { msg } : {}) }),
      child: () => logger,
    };
    const entities = Object.create(api.deps.entities) as typeof api.deps.entities;
    entities.list = async () => {
      throw new Error('secret detail: disk on fire');
    };
    entities.get = api.deps.entities.get.bind(api.deps.entities);
    const app = buildServer({ ...api.deps, entities, logger });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/namespaces/_/actions', headers: { authorization: api.auth } });
      const body = expectError(res, 500);
      expect(body.error).toBe('Internal server error.');
      expect(res.body).not.toContain('disk on fire');
      expect(logged).toHaveLength(1);
      expect(String((logged[0]!.fields as { err: Error }).err.stack)).toContain('disk on fire');
    } finally {
      await app.close();
    }
  });

  it('maps a WhirlError from a port to its registry status', async () => {
    const { buildServer } = await import('../../src/api/server.js');
    const activations = Object.create(api.deps.activations) as typeof api.deps.activations;
    activations.list = async () => {
      throw new WhirlError('WHIRL_STORE_UNAVAILABLE', ['connection refused']);
    };
    const app = buildServer({ ...api.deps, activations });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/namespaces/_/activations', headers: { authorization: api.auth } });
      expect(expectError(res, 503).error).toBe('The store is not reachable: connection refused');
    } finally {
      await app.close();
    }
  });

  it('answers 409 when the store reports a concurrent modification', async () => {
    const { buildServer } = await import('../../src/api/server.js');
    const entities = Object.create(api.deps.entities) as typeof api.deps.entities;
    entities.get = api.deps.entities.get.bind(api.deps.entities);
    entities.put = async () => {
      throw new WhirlError('WHIRL_CONCURRENT_MODIFICATION');
    };
    const app = buildServer({ ...api.deps, entities });
    try {
      const res = await app.inject({
        method: 'PUT',
        url: '/api/v1/namespaces/_/actions/racy',
        headers: { authorization: api.auth },
        payload: hello,
      });
      expectError(res, 409);
    } finally {
      await app.close();
    }
  });
});
