import { randomUUID } from 'node:crypto';
import nano from 'nano';
import { afterAll, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../src/domain/webhook.js';
import { serviceUrl } from '../helpers/services.js';
import { startWhirlProcess, type WhirlProcess } from '../helpers/whirl-process.js';
import { Tally, call, checkRecords, describeWithEnv, listedActivationIds, deliveriesNotFiredOnce } from './fault-kit.js';

/**
 * The Kafka + CouchDB topology (no Redis: coordination in CouchDB) under a bounded loop of 2,100 requests from 16
 * clients — non-blocking and blocking invokes, sequences (composition steps) and webhook deliveries mixed. An
 * invoker is killed -9 a third of the way (a new one starts), the API two thirds of the way (it restarts). Every
 * activation answered 2xx ends with exactly one record; every delivery answered 202 with one trigger activation and
 * one rule activation.
 */
const REQUESTS = 2100;
const SECRET = 'kafka-matrix';

describeWithEnv(['kafka', 'couchdb'], [], 'Kafka + CouchDB: API and invoker killed -9 under load', () => {
  const id = randomUUID().slice(0, 8);
  const prefix = `whirl_fkafka_${id}_`;
  const shared = {
    WHIRL_QUEUE: 'kafka',
    WHIRL_KAFKA_BROKERS: serviceUrl('kafka') ?? '',
    WHIRL_KAFKA_PARTITIONS: '2',
    WHIRL_KAFKA_SESSION_TIMEOUT_MS: '6000',
    WHIRL_QUEUE_NAME: `whirl-fkafka-${id}`,
    WHIRL_STORE: 'couchdb',
    WHIRL_COUCHDB_URL: serviceUrl('couchdb') ?? '',
    WHIRL_COUCHDB_PREFIX: prefix,
    WHIRL_REDIS_URL: 'redis://127.0.0.1:1',
    WHIRL_CONTAINERS: 'process',
    WHIRL_PREWARM: '',
    WHIRL_INVOKER_HEARTBEAT_MS: '500',
    WHIRL_INVOKER_DEAD_MS: '3000',
  };
  const procs: WhirlProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.kill().catch(() => {});
    const server = nano(serviceUrl('couchdb')!);
    for (const db of await server.db.list()) if (db.startsWith(prefix)) await server.db.destroy(db).catch(() => {});
  });

  it('records every accepted activation and delivery exactly once', async () => {
    const invoker = async (n: number) => {
      // A restart joins the consumer group while the dead member's session runs out: generous on a busy machine.
      const p = await startWhirlProcess(
        { ...shared, WHIRL_ROLE: 'invoker', WHIRL_INVOKER_ID: `k${n}${id}`, WHIRL_INVOKER_CONCURRENCY: '32' },
        { timeoutMs: 120_000 },
      );
      procs.push(p);
      return p;
    };
    const startApi = async () => {
      const p = await startWhirlProcess({ ...shared, WHIRL_ROLE: 'api' }, { timeoutMs: 120_000 });
      procs.push(p);
      return p;
    };
    let inv = await invoker(0);
    let api = await startApi();
    let base = api.url;
    const js = (code: string) => ({ exec: { kind: 'nodejs:default', code } });
    for (const [path, body] of [
      ['/actions/inc', js('function main(p) { return { n: (p.n || 0) + 1 }; }')],
      ['/actions/twice', { exec: { kind: 'sequence', components: ['/_/inc', '/_/inc'] } }],
      ['/actions/hooked', js('function main(p) { return { marker: p.marker }; }')],
      ['/triggers/hook', { annotations: [{ key: 'webhook', value: { type: 'github', secret: SECRET } }] }],
      ['/rules/hook-rule', { trigger: '/_/hook', action: '/_/hooked' }],
    ] as const) {
      const r = await call(base, 'PUT', `${path}?overwrite=true`, body);
      expect(r?.status, JSON.stringify(r)).toBe(200);
    }

    const tally = new Tally();
    const deliveries: string[] = [];
    let restarting: Promise<void> | undefined;
    const faults = [
      { at: 700, run: async () => { await inv.kill(); inv = await invoker(1); } },
      { at: 1400, run: async () => { await api.kill(); api = await startApi(); base = api.url; } },
    ];
    const work = Array.from({ length: REQUESTS }, (_, i) => i);
    const deliver = async (i: number) => {
      const body = JSON.stringify({ marker: `m-${i}` });
      try {
        const res = await fetch(`${base}/api/v1/webhooks/guest/hook`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'push',
            'x-github-delivery': `d-${id}-${i}`,
            'x-hub-signature-256': `sha256=${hmacSha256Hex(SECRET, body)}`,
          },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const answer = (await res.json().catch(() => ({}))) as { deliveryId?: string };
        if (res.status === 202 && answer.deliveryId) deliveries.push(answer.deliveryId);
      } catch {
        /* no answer: may or may not be accepted */
      }
    };
    const client = async () => {
      for (let i = work.shift(); i !== undefined; i = work.shift()) {
        if (restarting) await restarting;
        if (i % 21 === 20) await deliver(i);
        else if (i % 7 === 0) tally.add(await call(base, 'POST', '/actions/inc?blocking=true', { n: i }, 60_000));
        else if (i % 11 === 0) tally.add(await call(base, 'POST', '/actions/twice', { n: i }, 30_000));
        else tally.add(await call(base, 'POST', '/actions/inc', { n: i }, 30_000));
        const due = faults[0];
        if (due && tally.accepted.length >= due.at && !restarting) {
          faults.shift();
          restarting = due.run().finally(() => (restarting = undefined));
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, client));
    expect(faults).toHaveLength(0);
    console.log(`[faults] kafka matrix: ${JSON.stringify(tally.statuses)}, ${deliveries.length} deliveries accepted`);

    // Listing pages by skip, so a record landing mid-listing can shift onto the next page and show twice: the
    // verdict is taken once every accepted one is there and two listings in a row agree.
    let verdict = checkRecords(tally, []);
    let previous = -1;
    for (const until = Date.now() + 240_000; ; ) {
      const listed = await listedActivationIds(base);
      verdict = checkRecords(tally, listed);
      const settled = verdict.missing.length === 0 && listed.length === previous;
      previous = listed.length;
      if (settled || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(verdict.missing).toEqual([]);
    expect(verdict.duplicated).toEqual([]);

    expect(await deliveriesNotFiredOnce(base, deliveries, { trigger: 'hook', action: 'hooked' })).toEqual([]);
  }, 900_000);
});
