import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type ErrorCode } from '../../src/errors/codes.js';
import { eventually } from '../helpers/whirl.js';
import { startTwoTenants, type Tenant, type TwoTenants } from './tenants.js';

/**
 * Issue 8, isolation: bob's key cannot read, invoke, change or list alice's entities, on every route of the OpenAPI
 * document (enumerated at run time, so a new route is swept without editing this file), and cannot reach them
 * through references (sequence components, bindings, rules, compositions, web actions) either.
 */
/** The registry code an answer carries: OpenWhisk's `{error, code}` has the message and a transaction id. */
function codeOf(r: { status: number; body: any }): string | undefined {
  if (typeof r.body?.error !== 'string' || typeof r.body?.code !== 'string') return undefined;
  const found = (Object.entries(ErrorCodes) as Array<[ErrorCode, { status: number; message: string }]>).find(
    ([, c]) => c.status === r.status && c.message === r.body.error,
  );
  return found?.[0] ?? 'unregistered';
}

const MARKER = `alice-private-${Math.random().toString(36).slice(2)}`;

/** Routes without `{ns}`: public by design. A new one fails the test until it is classified here. */
const PUBLIC_ROUTES = new Set([
  'get /api/v1/openapi.json',
  'get /',
  'get /api/v1',
  'get /ping',
  'get /metrics',
  'post /api/v1/webhooks/{ns}/{trigger}',
  // Authenticated, and answers only the caller's own namespace (checked below).
  'get /api/v1/namespaces',
  // The API gateway's web actions (`wsk api`): Basic auth names the namespace they act on, always the caller's own.
  'get /api/v1/web/whisk.system/apimgmt/{op}',
  'post /api/v1/web/whisk.system/apimgmt/{op}',
  'put /api/v1/web/whisk.system/apimgmt/{op}',
  'delete /api/v1/web/whisk.system/apimgmt/{op}',
]);

/**
 * Namespaced routes that answer another namespace as OpenWhisk does, with only what it publishes: listing packages
 * (`wsk package list /whisk.system`). alice publishes nothing, so bob must see none of hers.
 */
const SHARED_LISTINGS = new Set(['get /api/v1/namespaces/{ns}/packages']);

interface Operation {
  method: string;
  path: string;
}

/** A body each route would accept from its owner, so a refusal is about who asks, not about what is sent. */
function bodyFor(op: Operation): unknown {
  if (op.method === 'get' || op.method === 'delete') return undefined;
  const p = op.path;
  if (p.includes('/executions/')) return {};
  if (op.method === 'put') {
    if (p.includes('/actions/')) return { exec: { kind: 'nodejs:default', code: 'function main() { return { bob: true }; }' } };
    if (p.includes('/rules/')) return { trigger: '/_/trig', action: '/_/secret' };
    if (p.includes('/compositions/')) return { definition: { whirl: '1', root: { type: 'task', action: 'secret' } } };
  }
  if (op.method === 'post' && p.includes('/rules/')) return { status: 'inactive' };
  return {};
}

describe('namespace isolation on every route', () => {
  let t: TwoTenants;
  let alice: Tenant;
  let bob: Tenant;
  let ops: Operation[];
  const ids = { activation: '', execution: '' };
  const as = (who: Tenant, method: string, path: string, body?: unknown) => t.whirl.api(method, path, body, who.auth);
  const aliceCount = async () => (await as(alice, 'GET', '/api/v1/namespaces/_/activations?count=true')).body.activations as number;
  const aliceState = async () => {
    const paths = ['actions/secret', 'actions/pkg/inner', 'packages/pkg', 'triggers/trig', 'rules/rul', 'compositions/comp'];
    return Promise.all(paths.map(async (p) => (await as(alice, 'GET', `/api/v1/namespaces/_/${p}`)).body));
  };

  /** Fills `{ns}` and the entity parameters with alice's real names and ids. */
  const fill = (op: Operation, ns: string) =>
    op.path
      .replace('{ns}', ns)
      .replace('/actions/{pkg}/{name}', '/actions/pkg/inner')
      .replace('/actions/{pkg}/', '/actions/pkg/')
      .replace('/actions/{name}', '/actions/secret')
      .replace('/packages/{name}', '/packages/pkg')
      .replace('/triggers/{name}', '/triggers/trig')
      .replace('/rules/{name}', '/rules/rul')
      .replace('/compositions/{name}', '/compositions/comp')
      .replace('/executions/{id}', `/executions/${ids.execution}`)
      .replace('/activations/{id}', `/activations/${ids.activation}`)
      .replace('{trigger}', 'trig');

  beforeAll(async () => {
    t = await startTwoTenants('embedded');
    ({ alice, bob } = t);
    const put = async (path: string, body: unknown) => {
      const r = await as(alice, 'PUT', `/api/v1/namespaces/_/${path}`, body);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
    };
    const code = `function main(p) { return { marker: p.marker }; }`;
    await put('actions/secret', { exec: { kind: 'nodejs:default', code }, parameters: [{ key: 'marker', value: MARKER }] });
    await put('packages/pkg', { parameters: [{ key: 'marker', value: MARKER }] });
    await put('actions/pkg/inner', { exec: { kind: 'nodejs:default', code } });
    await put('triggers/trig', { annotations: [{ key: 'webhook', value: { type: 'hmac', secret: MARKER } }] });
    await put('rules/rul', { trigger: `/${alice.namespace}/trig`, action: `/${alice.namespace}/secret` });
    await put('compositions/comp', { definition: { whirl: '1', root: { type: 'task', action: 'secret' } } });
    const run = await as(alice, 'POST', '/api/v1/namespaces/_/actions/secret?blocking=true', {});
    expect(run.body.response.result).toEqual({ marker: MARKER });
    ids.activation = run.body.activationId;
    const exec = await as(alice, 'POST', '/api/v1/namespaces/_/compositions/comp?blocking=true', {});
    expect(exec.status).toBe(200);
    ids.execution = exec.body.activationId;
    // Records are written in batches after the callers have their answers: wait for the setup's three (the action,
    // the composition and its task) so the counts compared below are not still rising.
    await eventually(async () => ((await aliceCount()) === 3 ? true : undefined));
    const doc = await as(alice, 'GET', '/api/v1/openapi.json', undefined);
    ops = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, byMethod]) =>
      Object.keys(byMethod).map((method) => ({ method, path })),
    );
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('every route is either namespaced or a known public one', () => {
    expect(ops.length).toBeGreaterThan(40);
    const unclassified = ops.filter((op) => !op.path.includes('{ns}') || op.path.startsWith('/api/v1/webhooks/'));
    expect(unclassified.map((op) => `${op.method} ${op.path}`).filter((k) => !PUBLIC_ROUTES.has(k))).toEqual([]);
  });

  it("refuses bob on every route that names alice's namespace (403 WHIRL_FORBIDDEN), and alice's state is untouched", async () => {
    const before = await aliceState();
    const count = await aliceCount();
    const namespaced = ops.filter((op) => op.path.startsWith('/api/v1/namespaces/{ns}'));
    for (const op of namespaced) {
      const r = await as(bob, op.method.toUpperCase(), `${fill(op, alice.namespace)}?blocking=true`, bodyFor(op));
      if (SHARED_LISTINGS.has(`${op.method} ${op.path}`)) {
        expect({ route: `${op.method} ${op.path}`, status: r.status, body: r.body }).toEqual({ route: `${op.method} ${op.path}`, status: 200, body: [] });
        continue;
      }
      expect({ route: `${op.method} ${op.path}`, status: r.status, code: codeOf(r) }).toEqual({
        route: `${op.method} ${op.path}`,
        status: 403,
        code: 'WHIRL_FORBIDDEN',
      });
    }
    expect(await aliceState()).toEqual(before);
    expect(await aliceCount()).toBe(count);
  }, 60_000);

  it("under `_`, alice's names do not exist for bob: nothing of hers is read, run, changed or listed", async () => {
    const before = await aliceState();
    const count = await aliceCount();
    // PUTs last: a PUT under `_` creates bob's own entity of that name, which later reads would then find.
    const namespaced = ops.filter((o) => o.path.startsWith('/api/v1/namespaces/{ns}'));
    for (const op of [...namespaced.filter((o) => o.method !== 'put'), ...namespaced.filter((o) => o.method === 'put')]) {
      const path = fill(op, '_');
      const r = await as(bob, op.method.toUpperCase(), `${path}?blocking=true`, bodyFor(op));
      const route = `${op.method} ${op.path}`;
      expect(r.status, route).toBeLessThan(500);
      expect(JSON.stringify(r.body), route).not.toContain(MARKER);
      expect(JSON.stringify(r.body), route).not.toContain(alice.namespace);
      expect(JSON.stringify(r.body), route).not.toContain(ids.activation);
      const named = /\{(name|id|pkg)\}/.test(op.path);
      // A named read, run or delete of alice's entity finds nothing; a PUT may create bob's own entity of that name.
      if (named && op.method !== 'put') expect(r.status, route).toBeGreaterThanOrEqual(400);
    }
    expect(await aliceState()).toEqual(before);
    expect(await aliceCount()).toBe(count);
  }, 60_000);

  it("alice's execution and activation ids are unknown to bob, even under a composition of his with her composition's name", async () => {
    const ns = '/api/v1/namespaces/_';
    const own = await as(bob, 'PUT', `${ns}/compositions/comp?overwrite=true`, {
      definition: { whirl: '1', root: { type: 'task', action: 'secret' } },
    });
    expect(own.status).toBe(200);
    for (const [method, path] of [
      ['GET', `${ns}/compositions/comp/executions/${ids.execution}`],
      ['GET', `${ns}/compositions/comp/executions/${ids.execution}/history`],
      ['POST', `${ns}/compositions/comp/executions/${ids.execution}/cancel`],
      ['GET', `${ns}/activations/${ids.execution}`],
    ] as const) {
      const r = await as(bob, method, path, method === 'POST' ? {} : undefined);
      expect(r.status, path).toBe(404);
    }
    const listed = await as(bob, 'GET', `${ns}/activations?docs=true&limit=200&name=secret`);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(ids.activation);
    expect(JSON.stringify(listed.body)).not.toContain(MARKER);
    const status = await as(alice, 'GET', `${ns}/compositions/comp/executions/${ids.execution}`);
    expect(status.status).toBe(200); // her execution is still there, and not cancelled by bob
    expect(JSON.stringify(status.body)).not.toMatch(/cancel/i);
  });

  it('lists only the caller namespace', async () => {
    expect((await as(bob, 'GET', '/api/v1/namespaces')).body).toEqual([bob.namespace]);
    expect((await as(alice, 'GET', '/api/v1/namespaces')).body).toEqual([alice.namespace]);
  });

  it("public routes carry none of alice's secrets, and her webhook needs her signature", async () => {
    for (const key of PUBLIC_ROUTES) {
      const [method, path] = key.split(' ') as [string, string];
      const r = await as(bob, method.toUpperCase(), path.replace('{ns}', alice.namespace).replace('{trigger}', 'trig'), method === 'get' ? undefined : {});
      expect(JSON.stringify(r.body), key).not.toContain(MARKER);
      // Nor her namespace or entity names (`/metrics` labels are route templates, never namespaces).
      if (method === 'get' && path !== '/api/v1/namespaces') expect(JSON.stringify(r.body), key).not.toContain(alice.namespace);
    }
    const unsigned = await as(bob, 'POST', `/api/v1/webhooks/${alice.namespace}/trig`, { marker: 'x' });
    expect(unsigned.status).toBe(401);
  });

  it("cannot reach alice's entities through references", async () => {
    const count = await aliceCount();
    const ns = '/api/v1/namespaces/_';
    const seq = await as(bob, 'PUT', `${ns}/actions/seq`, { exec: { kind: 'sequence', components: [`/${alice.namespace}/secret`] } });
    expect([seq.status, codeOf(seq)]).toEqual([400, 'WHIRL_SEQUENCE_COMPONENT_MISSING']);
    const bind = await as(bob, 'PUT', `${ns}/packages/bound`, { binding: { namespace: alice.namespace, name: 'pkg' } });
    // Unpublished: reported as not existing (as sequence components are), so its existence does not leak.
    expect([bind.status, codeOf(bind)]).toEqual([400, 'WHIRL_BINDING_MISSING']);
    const rule = await as(bob, 'PUT', `${ns}/triggers/t`, {});
    expect(rule.status).toBe(200);
    const r2 = await as(bob, 'PUT', `${ns}/rules/r`, { trigger: '/_/t', action: `/${alice.namespace}/secret` });
    expect([r2.status, codeOf(r2)]).toEqual([403, 'WHIRL_FORBIDDEN']);
    const comp = await as(bob, 'PUT', `${ns}/compositions/c`, {
      definition: { whirl: '1', root: { type: 'task', action: `/${alice.namespace}/secret` } },
    });
    if (comp.status === 200) {
      const run = await as(bob, 'POST', `${ns}/compositions/c?blocking=true`, {});
      expect(JSON.stringify(run.body)).not.toContain(MARKER);
    } else {
      expect(comp.status).toBeGreaterThanOrEqual(400);
    }
    const web = await t.whirl.api('GET', `/api/v1/web/${alice.namespace}/default/secret.json`, undefined, null);
    expect(web.status).toBe(404);
    expect(JSON.stringify(web.body)).not.toContain(MARKER);
    expect(await aliceCount()).toBe(count);
  }, 60_000);
});
