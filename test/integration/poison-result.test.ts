import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileEntityStore } from '../../src/adapters/store/file/file-entity-store.js';
import { ensureSubject } from '../../src/api/auth/authenticator.js';
import { tenant } from '../isolation/tenants.js';
import { startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { eventually } from '../helpers/whirl.js';

/**
 * Poison data is one activation's problem. A hostile action makes its runtime answer a 200,000-deep JSON result
 * (400 KB, under the 1 MB limit; it swaps the runtime's JSON.stringify, as action code in the runtime's process can).
 * Such a value parses but overflows every later serialiser. Its activations end with their own `action developer
 * error` records; another tenant's activations, sent right after, are all recorded; and SIGTERM finishes within the
 * shutdown bound. An embedded Whirl in its own OS process (file store, process containers).
 */
const DEPTH = 200_000;
const POISON = `function main() {
  const original = JSON.stringify;
  JSON.stringify = function (v, ...rest) {
    if (v && v.poison === true) { JSON.stringify = original; return '['.repeat(${DEPTH}) + ']'.repeat(${DEPTH}); }
    return original.call(JSON, v, ...rest);
  };
  return { poison: true };
}`;

describe('a result nested 200,000 deep', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'whirl-poison-'));
  const other = tenant('other-tenant');
  let whirl: WhirlProcess | undefined;
  const call = async (auth: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${whirl!.url}${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const guest = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP';

  beforeAll(async () => {
    const store = await FileEntityStore.open({ dir: dataDir });
    await ensureSubject(store, { namespace: other.namespace, uuid: other.uuid, key: other.key });
    await store.close();
    whirl = await startWhirlProcess({ WHIRL_DATA_DIR: dataDir, WHIRL_STORE: 'file', WHIRL_QUEUE: 'memory', WHIRL_PREWARM: '' });
    const put = (auth: string, name: string, code: string) =>
      call(auth, 'PUT', `/api/v1/namespaces/_/actions/${name}?overwrite=true`, { exec: { kind: 'nodejs:default', code } });
    expect((await put(guest, 'poison', POISON)).status).toBe(200);
    expect((await put(other.auth, 'fine', 'function main(p) { return { n: p.n }; }')).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await whirl?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a blocking invoke with the activation’s own developer error, not a 500', async () => {
    const res = await call(guest, 'POST', '/api/v1/namespaces/_/actions/poison?blocking=true');
    expect(res.status).toBe(502);
    expect(res.body.response.status).toBe('action developer error');
    expect(res.body.response.result.error).toMatch(/nested deeper than 1000 levels/);
  }, 60_000);

  it('records every poisoned activation and every activation of another namespace', async () => {
    const poisoned: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await call(guest, 'POST', '/api/v1/namespaces/_/actions/poison');
      expect(res.status).toBe(202);
      poisoned.push(res.body.activationId);
    }
    const fine: string[] = [];
    for (let n = 0; n < 30; n++) {
      const res = await call(other.auth, 'POST', '/api/v1/namespaces/_/actions/fine', { n });
      expect(res.status).toBe(202);
      fine.push(res.body.activationId);
    }
    const recorded = async (auth: string, id: string) =>
      eventually(async () => {
        const r = await call(auth, 'GET', `/api/v1/namespaces/_/activations/${id}`);
        return r.status === 200 ? r.body : undefined;
      }, 60_000);
    for (const [n, id] of fine.entries()) expect((await recorded(other.auth, id)).response.result).toEqual({ n });
    for (const id of poisoned) expect((await recorded(guest, id)).response.status).toBe('action developer error');
  }, 180_000);

  it('stops within the shutdown bound on SIGTERM', async () => {
    const started = Date.now();
    await whirl!.stop();
    expect(Date.now() - started).toBeLessThan(10_000 + 3_000);
    expect(whirl!.child.exitCode).toBe(0);
  }, 30_000);
});
