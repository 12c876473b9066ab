import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { describeWith, type Service } from '../helpers/services.js';
import { GUEST_KEY, freePort } from '../helpers/whirl-process.js';

/**
 * Shared pieces of the fault tests: private services a test may kill and restart (its own Redis with AOF, its own
 * on-disk CouchDB-protocol server), an HTTP client that tells "answered" from "no answer", and the record count.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AUTH = `Basic ${Buffer.from(GUEST_KEY).toString('base64')}`;

export interface Reply {
  status: number;
  body: any;
}

/** One request: its reply, or `undefined` when no reply came (connection refused/reset, or `timeoutMs` passed). */
export async function call(base: string, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<Reply | undefined> {
  try {
    const res = await fetch(`${base}/api/v1/namespaces/_${path}`, {
      method,
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* plain text */
    }
    return { status: res.status, body: parsed };
  } catch {
    return undefined;
  }
}

/** Every activation id the API lists (all pages); duplicates kept so a test can see them. */
export async function listedActivationIds(base: string): Promise<string[]> {
  const ids: string[] = [];
  for (let skip = 0; ; skip += 200) {
    const r = await call(base, 'GET', `/activations?limit=200&skip=${skip}`);
    if (!r || r.status !== 200 || !Array.isArray(r.body)) throw new Error(`listing activations failed: ${JSON.stringify(r)}`);
    ids.push(...r.body.map((a: { activationId: string }) => a.activationId));
    if (r.body.length < 200) return ids;
  }
}

/**
 * Tally of a request loop: `accepted` ids (2xx with an activation id), `refused` (an error answer: nothing accepted),
 * `unknown` (no answer: the request may or may not have been accepted).
 */
export class Tally {
  readonly accepted: string[] = [];
  refused = 0;
  unknown = 0;
  readonly statuses: Record<string, number> = {};

  add(r: Reply | undefined): void {
    const key = r ? String(r.status) : 'no-answer';
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    if (!r) this.unknown++;
    else if (r.status >= 200 && r.status < 300 && typeof r.body?.activationId === 'string') this.accepted.push(r.body.activationId);
    else this.refused++;
  }
}

/**
 * The fault tests' verdict: every accepted activation has exactly one record; no record is listed twice; records
 * beyond the accepted ones can only come from requests that got no answer.
 */
export function checkRecords(t: Tally, listed: string[]): { missing: string[]; duplicated: string[]; extra: number } {
  const seen = new Map<string, number>();
  for (const id of listed) seen.set(id, (seen.get(id) ?? 0) + 1);
  const accepted = new Set(t.accepted);
  return {
    missing: t.accepted.filter((id) => !seen.has(id)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    extra: [...seen.keys()].filter((id) => !accepted.has(id)).length,
  };
}

/** A private service process this test may kill (-9, STOP/CONT) and start again on the same port and data dir. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly cmd: string,
    private readonly args: string[],
    private readonly cwd: string,
    private readonly ready: () => Promise<boolean>,
  ) {}

  async start(timeoutMs = 20_000): Promise<void> {
    const child = spawn(this.cmd, this.args, { cwd: this.cwd, stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const until = Date.now() + timeoutMs;
    while (!(await this.ready())) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`${this.cmd} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  async kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill(sig);
    await this.exited;
  }
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export interface PrivateService {
  url: string;
  proc: ServiceProcess;
  /** Kills it (if running) and removes its data dir. */
  destroy(): Promise<void>;
}

/** redis-server (WHIRL_TEST_REDIS_SERVER_BIN) with AOF on a free port, data in a temp dir that survives restarts. */
export async function startPrivateRedis(bin: string): Promise<PrivateService> {
  const dir = mkdtempSync(join(tmpdir(), 'whirl-fault-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''];
  const ping = () => pingRedis(port);
  const proc = new ServiceProcess(bin, args, dir, ping);
  await proc.start();
  return { url: `redis://127.0.0.1:${port}`, proc, destroy: async () => (await proc.kill(), rmSync(dir, { recursive: true, force: true })) };
}

async function pingRedis(port: number): Promise<boolean> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => s.write('PING\r\n'));
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
    s.once('data', (d) => (s.destroy(), resolve(d.toString().startsWith('+PONG'))));
    s.once('error', () => resolve(false));
  });
}

/** pouchdb-server on a free port storing its databases on disk (`--dir`), so a restart keeps them. */
export async function startPrivatePouch(): Promise<PrivateService> {
  const dir = mkdtempSync(join(tmpdir(), 'whirl-fault-pouch-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Installed by scripts/services.sh (svc_prepare_pouchdb) into .services/, outside Whirl's own dependencies.
  const bin = process.env.WHIRL_TEST_POUCHDB_BIN ?? join(ROOT, '.services/pouchdb-server/node_modules/.bin/pouchdb-server');
  const proc = new ServiceProcess(bin, ['--host', '127.0.0.1', '--port', String(port), '--dir', dir, '--no-color', '-n'], dir, () => httpOk(`${url}/`));
  await proc.start(30_000);
  return { url, proc, destroy: async () => (await proc.kill(), rmSync(dir, { recursive: true, force: true })) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `describeWith` plus extra environment variables the fault tests need (e.g. WHIRL_TEST_REDIS_SERVER_BIN): a missing
 * one fails the suite under CI=true and skips it loudly otherwise, exactly like a missing service.
 */
export function describeWithEnv(services: Service[], vars: string[], name: string, fn: () => void): void {
  const missing = vars.filter((v) => !process.env[v]);
  if (missing.length === 0) return describeWith(services, name, fn);
  const why = `needs ${missing.join(', ')} (run 'npm test', which sets it)`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`[services] ${name}: ${why}`);
    });
  } else {
    console.warn(`\n[services] SKIPPING "${name}": ${why}\n`);
    describe.skip(`${name} [SKIPPED: ${why}]`, fn);
  }
}

/**
 * Accepted webhook deliveries that did not fire exactly once, waiting up to `ms` for them: each needs one activation
 * of `trigger` with the delivery id as its id, and one activation of `action` caused by it (a success, or a whisk
 * internal error when it had started before a crash: never run twice). Empty when all did.
 */
export async function deliveriesNotFiredOnce(
  base: string,
  deliveries: string[],
  names: { trigger: string; action: string },
  ms = 120_000,
): Promise<string[]> {
  const records = async (name: string) => {
    const out: Array<{ activationId: string; cause?: string }> = [];
    for (let skip = 0; ; skip += 200) {
      const r = await call(base, 'GET', `/activations?name=${name}&docs=true&limit=200&skip=${skip}`);
      const page = (r?.body ?? []) as Array<{ activationId: string; cause?: string }>;
      out.push(...page);
      if (page.length < 200) return out;
    }
  };
  const count = (ids: Array<string | undefined>, id: string) => ids.filter((x) => x === id).length;
  for (const until = Date.now() + ms; ; ) {
    const triggers = (await records(names.trigger)).map((r) => r.activationId);
    const caused = (await records(names.action)).map((r) => r.cause);
    const bad = deliveries.filter((id) => count(triggers, id) !== 1 || count(caused, id) !== 1);
    if (bad.length === 0 || Date.now() > until) return bad;
    await sleep(1000);
  }
}
