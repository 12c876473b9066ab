import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startWhirl, type WhirlHandle } from '../../src/main.js';
import { nodejsImage, serviceUrl } from './services.js';

export type Mode = 'embedded' | 'full';

export interface TestWhirl {
  url: string;
  auth: string;
  handle: WhirlHandle;
  /** JSON request with the guest's Basic auth (or `auth: null` for none). */
  api(method: string, path: string, body?: unknown, auth?: string | null): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

const GUEST = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP';

/**
 * A whole Whirl in this process on port 0. `embedded`: in-process queue, on-disk store in a temp dir, local-process
 * containers. `full`: BullMQ on the test Redis, CouchDB protocol on the test server, Docker containers; every name
 * (queue, databases, containers) unique to this instance.
 */
export async function startTestWhirl(mode: Mode, env: Record<string, string> = {}): Promise<TestWhirl> {
  const id = randomUUID().slice(0, 8);
  const dataDir = mkdtempSync(join(tmpdir(), 'whirl-test-'));
  const base: Record<string, string> = {
    WHIRL_PORT: '0',
    WHIRL_LOG_LEVEL: 'warn',
    WHIRL_DATA_DIR: dataDir,
    WHIRL_INVOKER_ID: `test${id}`,
    WHIRL_GUEST_KEY: GUEST,
  };
  const full: Record<string, string> =
    mode === 'full'
      ? {
          WHIRL_QUEUE: 'bullmq',
          WHIRL_REDIS_URL: serviceUrl('redis') ?? '',
          WHIRL_QUEUE_NAME: `whirl-test-${id}`,
          WHIRL_STORE: 'couchdb',
          WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
          WHIRL_COUCHDB_PREFIX: `whirl_test_${id}_`,
          WHIRL_CONTAINERS: 'docker',
          WHIRL_DOCKER_SOCKET: serviceUrl('docker') ?? '',
          WHIRL_NODEJS_IMAGE: nodejsImage(),
        }
      : {};
  const config = loadConfig({ ...base, ...full, ...env });
  const handle = await startWhirl(config);
  const url = handle.url!;
  const api: TestWhirl['api'] = async (method, path, body, auth = GUEST) => {
    const headers: Record<string, string> = {};
    if (auth) headers.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* plain text body */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    url,
    auth: GUEST,
    handle,
    api,
    async stop() {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(fn: () => Promise<T | undefined>, ms = 10_000, every = 50): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}
