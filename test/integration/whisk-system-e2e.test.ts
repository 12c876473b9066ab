import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWith } from '../helpers/services.js';
import { type Mode, type TestWhirl, eventually, startTestWhirl } from '../helpers/whirl.js';

/**
 * `/whisk.system` through the unchanged `openwhisk` npm client, as the guest (a non-system namespace): the
 * built-in packages listed and read, `/whisk.system/utils` actions run as real actions (queue, invoker, records),
 * in sequences and through bindings.
 */
describe('embedded (file store, in-process queue, process containers)', () => suite('embedded'));
describeWith(['redis', 'couchdb', 'docker'], 'full (BullMQ, CouchDB, Docker)', () => suite('full'));

const ann = (rec: any, key: string) => rec.annotations.find((a: any) => a.key === key)?.value;

function suite(mode: Mode): void {
  let w: TestWhirl;
  let ow: ReturnType<typeof openwhisk>;
  beforeAll(async () => {
    w = await startTestWhirl(mode);
    ow = openwhisk({ apihost: w.url, api_key: w.auth });
  }, 90_000);
  afterAll(() => w?.stop());

  it('lists and reads the built-in packages of /whisk.system from another namespace', async () => {
    const list = await ow.packages.list({ namespace: 'whisk.system' });
    expect(list.map((p) => p.name).sort()).toEqual(expect.arrayContaining(['alarms', 'messaging', 'utils']));
    expect(list.every((p) => p.publish === true && p.namespace === 'whisk.system')).toBe(true);

    const utils = await ow.packages.get({ name: '/whisk.system/utils' });
    expect(utils.actions?.map((a) => a.name).sort()).toEqual(
      ['cat', 'date', 'echo', 'head', 'hosturl', 'namespace', 'smash', 'sort', 'split'],
    );
    const alarms = await ow.packages.get({ name: '/whisk.system/alarms' });
    expect((alarms as any).feeds.map((a: any) => a.name).sort()).toEqual(['alarm', 'interval', 'once']);
    expect(await ow.actions.get({ name: '/whisk.system/utils/echo' })).toMatchObject({
      namespace: 'whisk.system/utils',
      exec: { kind: expect.stringMatching(/^nodejs:/) },
    });
  });

  it('keeps other namespaces private: writes and unpublished packages are 403', async () => {
    await expect(ow.actions.list({ namespace: 'whisk.system' })).rejects.toMatchObject({ statusCode: 403 });
    await expect(ow.actions.create({ name: '/whisk.system/utils/mine', action: 'function main(){}' })).rejects.toMatchObject({
      statusCode: 403,
    });
    await expect(ow.packages.delete({ name: '/whisk.system/utils' })).rejects.toMatchObject({ statusCode: 403 });
  });

  it('invokes /whisk.system/utils/echo fully qualified, recorded in the caller namespace', async () => {
    const rec = await ow.actions.invoke({ name: '/whisk.system/utils/echo', blocking: true, params: { payload: 'Five fuzzy felines' } });
    expect(rec.response?.result).toEqual({ payload: 'Five fuzzy felines' });
    expect(rec.namespace).toBe('guest');
    expect(ann(rec, 'path')).toBe('whisk.system/utils/echo');
    const stored = await eventually(() => ow.activations.get({ name: rec.activationId }).catch(() => undefined), 20_000);
    expect(stored.response?.result).toEqual({ payload: 'Five fuzzy felines' });
  }, 60_000);

  it('gives the catalog results for each utils action', async () => {
    const run = (name: string, params: Record<string, unknown> = {}) =>
      ow.actions.invoke({ name: `/whisk.system/utils/${name}`, blocking: true, result: true, params });
    const lines = ['seven', 'eight', 'nine'];
    expect(await run('cat', { lines })).toEqual({ lines, payload: 'seven\neight\nnine' });
    expect(await run('head', { lines, num: 2 })).toEqual({ lines: ['seven', 'eight'], num: 2 });
    expect(await run('sort', { lines })).toEqual({ lines: ['eight', 'nine', 'seven'], length: 3 });
    expect(await run('split', { payload: 'seven,eight,nine', separator: ',' })).toEqual({ lines, payload: 'seven,eight,nine' });
    expect(await run('smash', { $fieldName: 'x', a: 1, c: { d: 3 } })).toEqual({ x: { a: 1, c: { d: 3 } } });
    // A result with `error` is an application error (502), as in OpenWhisk.
    await expect(run('smash')).rejects.toMatchObject({
      statusCode: 502,
      error: { response: { result: { error: "Expected an argument '$fieldName' of type 'string'." } } },
    });
    expect(await run('namespace')).toEqual({ namespace: 'guest' });
    expect(Date.parse(String(((await run('date')) as any).date))).toBeGreaterThan(0);
    const host = w.handle.config.http.apiHost;
    expect(await run('hosturl', { path: 'utils/echo' })).toEqual({ url: `${host}/api/v1/namespaces/guest/actions/utils/echo` });
    expect(await run('hosturl', { web: true, path: 'echo', ext: '.text' })).toEqual({ url: `${host}/api/v1/web/guest/default/echo.text` });
  }, 120_000);

  it('runs a sequence of utils actions (split, sort, head) with component records', async () => {
    const name = `words-${mode}`;
    await ow.actions.create({
      name,
      action: { exec: { kind: 'sequence', components: ['/whisk.system/utils/split', '/whisk.system/utils/sort', '/whisk.system/utils/head'] } } as any,
    });
    const rec = await ow.actions.invoke({ name, blocking: true, params: { payload: 'pear apple fig', separator: ' ', num: 2 } });
    // Each component gets the previous result: `num` reaches split only, so head takes its default of 1.
    expect(rec.response?.result).toEqual({ lines: ['apple'], num: 1 });
    expect(rec.logs).toHaveLength(3);
    expect(ann(rec, 'kind')).toBe('sequence');
  }, 60_000);

  it('binds /whisk.system/utils and invokes through the binding with its parameters', async () => {
    const name = `myutils-${mode}`;
    await ow.packages.create({ name, package: { binding: { namespace: 'whisk.system', name: 'utils' }, parameters: [{ key: 'num', value: 2 }] } });
    const result = await ow.actions.invoke({ name: `${name}/head`, blocking: true, result: true, params: { lines: [1, 2, 3] } });
    expect(result).toEqual({ lines: [1, 2], num: 2 });
    const viaBinding = await ow.packages.get({ name });
    expect(viaBinding.actions?.map((a) => a.name)).toContain('echo');
  }, 60_000);
}
