import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { eventually, startTestWhirl, type TestWhirl } from '../helpers/whirl.js';

/**
 * Feeds end to end on a real Whirl (embedded queue and local-process containers; schedules and stream
 * subscriptions on the test Redis), driven by the unchanged `openwhisk` npm client: packages, bindings to the
 * built-in feed packages, triggers with feeds (OpenWhisk's feed protocol), rules, and the fired actions' records.
 */
describeWith(['redis'], 'built-in feeds end to end', () => {
  let whirl: TestWhirl;
  let ow: ReturnType<typeof openwhisk>;
  let redis: Redis;
  const queueName = `whirl-test-feeds-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    whirl = await startTestWhirl('embedded', {
      WHIRL_COORDINATION: 'redis',
      WHIRL_REDIS_URL: serviceUrl('redis')!,
      WHIRL_QUEUE_NAME: queueName,
      WHIRL_SCHEDULE_POLL_MS: '100',
      WHIRL_STREAM_POLL_MS: '50',
    });
    ow = openwhisk({ apihost: whirl.url, api_key: whirl.auth });
    redis = new Redis(serviceUrl('redis')!);
  });
  afterAll(async () => {
    await whirl?.stop();
    const keys = await redis.keys(`${queueName}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  const echo = 'function main(p) { console.log("fired"); return p; }';

  /** Full records (`docs=true`) of `action`, newest first, once there are at least `atLeast`. */
  async function firedRecords(action: string, atLeast: number): Promise<FullRecord[]> {
    return eventually(async () => {
      const list = (await ow.activations.list({ name: action, docs: true, limit: 50 })) as unknown as FullRecord[];
      return list.length >= atLeast ? list : undefined;
    }, 30_000, 200);
  }

  it('an interval feed fires the trigger, whose rule runs the action with the payload', async () => {
    const suffix = randomUUID().slice(0, 8);
    const [action, trigger, rule, binding] = [`a-${suffix}`, `t-${suffix}`, `r-${suffix}`, `alarms-${suffix}`];
    await ow.actions.create({ name: action, action: echo });
    await ow.packages.create({ name: binding, package: { binding: { namespace: 'whisk.system', name: 'alarms' } } });
    await ow.triggers.create({ name: trigger, trigger: { annotations: [{ key: 'feed', value: `${binding}/interval` }] } });
    const created = await ow.feeds.create({
      name: `${binding}/interval`,
      trigger,
      params: { minutes: 0.01, trigger_payload: { from: 'alarm' } },
    });
    expect((created as unknown as FullRecord).response?.success).toBe(true);
    await ow.rules.create({ name: rule, trigger, action });

    const records = await firedRecords(action, 2);
    const rec = records[0]!;
    expect(rec.response?.result).toMatchObject({ from: 'alarm' });
    const cause = rec.cause;
    expect(cause).toMatch(/^[0-9a-f]{32}$/);
    const triggerRecord = await ow.activations.get({ name: cause! });
    expect(triggerRecord.name).toBe(trigger);
    expect(JSON.parse(triggerRecord.logs[0]!)).toMatchObject({ success: true, activationId: rec.activationId });

    // `feeds.get` (READ) exists in the client but not in its type declarations.
    const feeds = ow.feeds as unknown as { get(o: object): Promise<FullRecord> };
    const read = await feeds.get({ name: `${binding}/interval`, trigger });
    expect(read.response?.result).toMatchObject({ status: 'active' });
    await ow.feeds.delete({ name: `${binding}/interval`, trigger });
    const after = (await ow.activations.list({ name: action, limit: 200 })).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await ow.activations.list({ name: action, limit: 200 })).length).toBeLessThanOrEqual(after + 1);
  });

  it('a feed named directly in the system namespace works, as `wsk trigger create --feed /whisk.system/…` sends it', async () => {
    const suffix = randomUUID().slice(0, 8);
    const [action, trigger] = [`a-${suffix}`, `t-${suffix}`];
    await ow.actions.create({ name: action, action: echo });
    await ow.triggers.create({ name: trigger, trigger: { annotations: [{ key: 'feed', value: '/whisk.system/alarms/interval' }] } });
    const created = await ow.feeds.create({
      name: '/whisk.system/alarms/interval',
      trigger,
      params: { minutes: 0.01, trigger_payload: { from: 'direct' } },
    });
    expect((created as unknown as FullRecord).response?.success).toBe(true);
    await ow.rules.create({ name: `r-${suffix}`, trigger, action });
    const records = await firedRecords(action, 1);
    expect(records[0]!.response?.result).toMatchObject({ from: 'direct' });
    await ow.feeds.delete({ name: '/whisk.system/alarms/interval', trigger });
    // Only feed invocations pass into the system namespace: anything else there stays forbidden.
    const forbidden = await whirl.api('PUT', '/api/v1/namespaces/whisk.system/actions/alarms/sneaky', {
      exec: { kind: 'nodejs:20', code: 'function main(){return {}}' },
    });
    expect(forbidden.status).toBe(403);
    const listing = await whirl.api('GET', '/api/v1/namespaces/whisk.system/actions');
    expect(listing.status).toBe(403);
  });

  it('a trigger created with a built-in feed annotation and parameters gets its schedule on the server', async () => {
    const suffix = randomUUID().slice(0, 8);
    const [action, trigger] = [`a-${suffix}`, `t-${suffix}`];
    await ow.actions.create({ name: action, action: echo });
    const bad = whirl.api('PUT', `/api/v1/namespaces/_/triggers/${trigger}`, {
      annotations: [{ key: 'feed', value: '/whisk.system/alarms/alarm' }],
      parameters: [{ key: 'cron', value: 'not a cron' }],
    });
    expect((await bad).status).toBe(400);
    // The refused trigger is not left behind.
    expect((await whirl.api('GET', `/api/v1/namespaces/_/triggers/${trigger}`)).status).toBe(404);
    const ok = await whirl.api('PUT', `/api/v1/namespaces/_/triggers/${trigger}`, {
      annotations: [{ key: 'feed', value: '/whisk.system/alarms/interval' }],
      parameters: [{ key: 'minutes', value: 0.01 }],
    });
    expect(ok.status).toBe(200);
    await ow.rules.create({ name: `r-${suffix}`, trigger, action });
    await firedRecords(action, 1);
    expect((await whirl.api('DELETE', `/api/v1/namespaces/_/triggers/${trigger}`)).status).toBe(200);
  });

  it('messages on a Redis stream fire the trigger once each', async () => {
    const suffix = randomUUID().slice(0, 8);
    const [action, trigger, binding] = [`a-${suffix}`, `t-${suffix}`, `msg-${suffix}`];
    const stream = `${queueName}:stream-${suffix}`;
    await ow.actions.create({ name: action, action: echo });
    await ow.packages.create({ name: binding, package: { binding: { namespace: 'whisk.system', name: 'messaging' } } });
    await ow.triggers.create({ name: trigger });
    await ow.feeds.create({ name: `${binding}/redisStream`, trigger, params: { stream } });
    await ow.rules.create({ name: `r-${suffix}`, trigger, action });
    for (let i = 0; i < 3; i++) await redis.xadd(stream, '*', 'n', String(i));
    const records = await firedRecords(action, 3);
    await new Promise((r) => setTimeout(r, 500));
    const all = (await ow.activations.list({ name: action, docs: true, limit: 50 })) as unknown as FullRecord[];
    expect(all).toHaveLength(3);
    const ns = all.map((r) => (r.response?.result as { fields: { n: string } }).fields.n).sort();
    expect(ns).toEqual(['0', '1', '2']);
    expect(records[0]!.response?.result).toMatchObject({ stream });
  });

  it('refuses bad feed calls: unknown lifecycle event, foreign trigger, no feed state, bad parameters', async () => {
    const suffix = randomUUID().slice(0, 8);
    const binding = `alarms-${suffix}`;
    await ow.packages.create({ name: binding, package: { binding: { namespace: 'whisk.system', name: 'alarms' } } });
    const invoke = (body: unknown) => whirl.api('POST', `/api/v1/namespaces/_/actions/${binding}/alarm?blocking=true`, body);
    expect((await invoke({ lifecycleEvent: 'EXPLODE', triggerName: '/_/t' })).status).toBe(400);
    expect((await invoke({ lifecycleEvent: 'CREATE', triggerName: '/someone-else/t', cron: '* * * * *' })).status).toBe(403);
    expect((await invoke({ lifecycleEvent: 'READ', triggerName: `/_/none-${suffix}` })).status).toBe(404);
    expect((await invoke({ lifecycleEvent: 'CREATE', triggerName: `/_/t-${suffix}`, cron: 'every tuesday' })).status).toBe(400);
    expect((await whirl.api('POST', `/api/v1/namespaces/_/actions/${binding}/nosuchfeed`, {})).status).toBe(404);
    // Only known system packages can be bound without a document.
    const bad = await whirl.api('PUT', `/api/v1/namespaces/_/packages/x-${suffix}`, { binding: { namespace: 'whisk.system', name: 'nothing' } });
    expect(bad.status).toBe(400);
  });

  it('the openwhisk client manages triggers, rules and packages', async () => {
    const suffix = randomUUID().slice(0, 8);
    const [action, trigger, rule, pkg] = [`a-${suffix}`, `t-${suffix}`, `r-${suffix}`, `p-${suffix}`];
    await ow.packages.create({ name: pkg, package: { parameters: [{ key: 'fromPackage', value: 1 }] } });
    await ow.actions.create({ name: `${pkg}/${action}`, action: echo });
    const t = await ow.triggers.create({ name: trigger });
    expect(t).toMatchObject({ name: trigger, version: '0.0.1', annotations: [], limits: {} });
    const r = await ow.rules.create({ name: rule, trigger, action: `${pkg}/${action}` });
    expect(r).toMatchObject({ status: 'active', trigger: { name: trigger } });
    await ow.rules.disable({ name: rule });
    expect((await ow.rules.get({ name: rule })).status).toBe('inactive');
    await ow.rules.enable({ name: rule });
    const fired = await ow.triggers.invoke({ name: trigger, params: { hello: 'world' } });
    expect(fired.activationId).toMatch(/^[0-9a-f]{32}$/);
    const records = await firedRecords(`${pkg}/${action}`, 1);
    expect(records[0]!.response?.result).toMatchObject({ hello: 'world', fromPackage: 1 });
    expect((await ow.packages.get({ name: pkg })).actions?.map((a) => a.name)).toEqual([action]);
    expect((await ow.triggers.list()).map((x) => x.name)).toContain(trigger);
    expect((await ow.rules.list()).map((x) => x.name)).toContain(rule);
    await ow.rules.delete({ name: rule });
    await ow.triggers.delete({ name: trigger });
    await ow.actions.delete({ name: `${pkg}/${action}` });
    await ow.packages.delete({ name: pkg });
  });
});

interface FullRecord {
  activationId: string;
  name: string;
  cause?: string;
  logs: string[];
  response?: { success?: boolean; result?: unknown };
}
