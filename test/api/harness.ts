import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { MemoryActivationStore, MemoryEntityStore } from '../../src/adapters/store/memory/index.js';
import { ensureSubject } from '../../src/api/auth/authenticator.js';
import type { ApiDeps } from '../../src/api/deps.js';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config/load.js';
import { systemClock } from '../../src/ports/clock.js';
import { silentLogger } from '../../src/ports/logger.js';
import { FakeEngine } from './fake-engine.js';

export interface Api {
  app: FastifyInstance;
  deps: ApiDeps;
  engine: FakeEngine;
  namespace: string;
  /** `uuid:key` of the namespace's subject. */
  key: string;
  /** `Authorization` header value for `key`. */
  auth: string;
  /** Seeds another subject in its own namespace; returns its Authorization header. */
  addSubject(namespace: string): Promise<string>;
  close(): Promise<void>;
}

/** A server on memory stores and a fake engine, with one fresh subject in a fresh namespace. */
export async function startApi(env: Record<string, string> = {}): Promise<Api> {
  const entities = new MemoryEntityStore();
  const activations = new MemoryActivationStore();
  const engine = new FakeEngine(activations);
  const deps: ApiDeps = {
    config: loadConfig(env),
    entities,
    activations,
    engine,
    clock: systemClock,
    logger: silentLogger,
  };
  const app = buildServer(deps);
  await app.ready();
  const addSubject = async (namespace: string): Promise<string> => {
    const uuid = randomUUID();
    const secret = randomBytes(32).toString('hex');
    await ensureSubject(entities, { namespace, uuid, key: secret });
    return basic(`${uuid}:${secret}`);
  };
  const namespace = `ns-${randomUUID()}`;
  const uuid = randomUUID();
  const secret = randomBytes(32).toString('hex');
  await ensureSubject(entities, { namespace, uuid, key: secret });
  const key = `${uuid}:${secret}`;
  return {
    app,
    deps,
    engine,
    namespace,
    key,
    auth: basic(key),
    addSubject,
    close: async () => {
      await app.close();
      await entities.close();
      await activations.close();
    },
  };
}

export function basic(key: string): string {
  return `Basic ${Buffer.from(key).toString('base64')}`;
}

/** Every error Whirl serves: the status, exactly `{error, code}` as strings, and `code` = the X-Request-ID. */
export function expectError(res: LightMyRequestResponse, status: number): { error: string; code: string } {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'error']);
  expect(typeof body.error).toBe('string');
  expect(typeof body.code).toBe('string');
  expect(body.code).toBe(res.headers['x-request-id']);
  return body as { error: string; code: string };
}

export const hello = { exec: { kind: 'nodejs:default', code: 'function main(p) { return p; }' } };
