import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load.js';
import { startWhirl, type WhirlHandle } from '../../src/main.js';
import { GUEST_KEY } from '../../test/helpers/whirl-process.js';

/**
 * A whole Whirl in this process on the real services (BullMQ, CouchDB protocol, Docker), every name unique, so the
 * benchmark can read the invoker pool's counters. (test/helpers/whirl.ts does the same but imports vitest.)
 */
export interface BenchWhirl {
  handle: WhirlHandle;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startBenchWhirl(env: Record<string, string>): Promise<BenchWhirl> {
  const id = randomUUID().slice(0, 8);
  const need = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  const config = loadConfig({
    WHIRL_PORT: '0',
    WHIRL_LOG_LEVEL: 'warn',
    WHIRL_INVOKER_ID: `bench${id}`,
    WHIRL_GUEST_KEY: GUEST_KEY,
    WHIRL_QUEUE: 'bullmq',
    WHIRL_REDIS_URL: need('WHIRL_TEST_REDIS_URL'),
    WHIRL_QUEUE_NAME: `whirl-bench-${id}`,
    WHIRL_STORE: 'couchdb',
    WHIRL_COUCHDB_URL: need('WHIRL_TEST_COUCHDB_URL'),
    WHIRL_COUCHDB_PREFIX: `whirl_bench_${id}_`,
    WHIRL_CONTAINERS: 'docker',
    WHIRL_DOCKER_SOCKET: need('WHIRL_TEST_DOCKER_SOCKET'),
    WHIRL_NODEJS_IMAGE: process.env.WHIRL_TEST_NODEJS_IMAGE ?? 'whirl/runtime-nodejs:20',
    ...env,
  });
  const handle = await startWhirl(config);
  const auth = `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`;
  return {
    handle,
    async api(method, path, body) {
      const res = await fetch(`${handle.url}${path}`, {
        method,
        headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    stop: () => handle.stop(),
  };
}
