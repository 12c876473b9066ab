import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWith } from '../helpers/services.js';
import { type Mode, type TestWhirl, eventually, startTestWhirl } from '../helpers/whirl.js';

/**
 * OpenWhisk conductor actions (annotation `conductor: true`) on the composition engine, through the unchanged
 * `openwhisk` npm client: the conductor runs between components, `state` is carried, the primary record lists the
 * conductor and component activations in `logs`, and bad continuations come back to the conductor as errors, with
 * OpenWhisk's messages (ConductorsApiTests).
 */
describe('embedded (file store, in-process queue, process containers)', () => suite('embedded'));
describeWith(['redis', 'couchdb', 'docker'], 'full (BullMQ, CouchDB, Docker)', () => suite('full'));

const ann = (rec: any, key: string) => rec.annotations.find((a: any) => a.key === key)?.value;

/** OpenWhisk's minimal test conductor: `{action, state, params, ...rest}` → `{action, state, params: rest ∪ params}`. */
const MINIMAL = `function main(args) {
  if (args.error) return args;
  const { action, state, params, ...rest } = args;
  return { action, state, params: Object.assign(rest, params) };
}`;
/** Runs inc, double, inc, keeping its program counter in `state`. */
const PROGRAM = `function main(p) {
  if (p.error) return { error: p.error };
  const steps = ['inc', 'double', 'inc'];
  const pc = p.pc || 0;
  if (pc >= steps.length) return { params: { x: p.x, pc } };
  return { action: steps[pc], params: { x: p.x }, state: { pc: pc + 1 } };
}`;

function suite(mode: Mode): void {
  let w: TestWhirl;
  let ow: ReturnType<typeof openwhisk>;
  const conductor = { conductor: true };
  beforeAll(async () => {
    w = await startTestWhirl(mode);
    ow = openwhisk({ apihost: w.url, api_key: w.auth });
    await ow.actions.create({ name: 'program', action: PROGRAM, annotations: conductor } as any);
    await ow.actions.create({ name: 'conductor', action: MINIMAL, annotations: conductor } as any);
    await ow.actions.create({ name: 'inc', action: 'function main(p) { return { x: p.x + 1 }; }' });
    await ow.actions.create({ name: 'double', action: 'function main(p) { return { x: p.x * 2 }; }' });
    await ow.actions.create({ name: 'step', action: "function main(p) { return p.n === undefined ? { error: 'missing parameter' } : { n: p.n + 1 }; }" });
  }, 90_000);
  afterAll(() => w?.stop());

  const invoke = async (name: string, params: Record<string, unknown>) => {
    try {
      return await ow.actions.invoke({ name, blocking: true, params });
    } catch (e: any) {
      if (e.statusCode === 502 && e.error?.activationId) return e.error; // an application error's record
      throw e;
    }
  };
  const stored = (id: string) => eventually(() => ow.activations.get({ name: id }).catch(() => undefined), 20_000);

  it('runs three components between conductor runs, carrying state; the record lists every activation', async () => {
    const rec = await invoke('program', { x: 1 });
    expect(rec.response.result).toEqual({ x: 5, pc: 3 });
    expect(rec.logs).toHaveLength(7);
    expect(ann(rec, 'conductor')).toBe(true);
    expect(ann(rec, 'kind')).toBe('sequence');
    expect(ann(rec, 'topmost')).toBe(true);
    expect(ann(rec, 'path')).toBe('guest/program');
    const steps = await Promise.all(rec.logs.map((id: string) => stored(id)));
    expect(steps.map((s: any) => s.name)).toEqual(['program', 'inc', 'program', 'double', 'program', 'inc', 'program']);
    for (const s of steps) {
      expect(s.cause).toBe(rec.activationId);
      expect(ann(s, 'causedBy')).toBe('sequence');
    }
    // The conductor saw each component's result merged with its state.
    expect(steps[2].response.result).toEqual({ action: 'double', params: { x: 2 }, state: { pc: 2 } });
    expect(rec.duration).toBe(steps.reduce((sum: number, s: any) => sum + s.duration, 0));
  }, 90_000);

  it('without a next action ends with params, else the whole result; a conductor error ends it', async () => {
    const plain = await invoke('conductor', { payload: 'hi' });
    expect(plain.response.result).toEqual({ payload: 'hi' });
    expect(plain.logs).toHaveLength(1);
    const failed = await invoke('conductor', { error: 'bad' });
    expect(failed.response).toMatchObject({ status: 'application error', result: { error: 'bad' } });
    expect(failed.logs).toHaveLength(1);
  }, 60_000);

  it('follows OpenWhisk: params and state through one component, component errors back to the conductor', async () => {
    const one = await invoke('conductor', { action: 'step', params: { n: 1 } });
    expect(one.response.result).toEqual({ n: 2 });
    expect(one.logs).toHaveLength(3);
    const missing = await invoke('conductor', { action: 'step' });
    expect(missing.response).toMatchObject({ status: 'application error', result: { error: 'missing parameter' } });
    expect(missing.logs).toHaveLength(3);
    const witness = await invoke('conductor', { action: 'step', state: { witness: 42 }, n: 1 });
    expect(witness.response.result).toEqual({ n: 2, witness: 42 });
    const twice = await invoke('conductor', { action: 'step', state: { action: 'step' }, n: 1 });
    expect(twice.response.result).toEqual({ n: 3 });
    expect(twice.logs).toHaveLength(5);
  }, 90_000);

  it('nests a conductor named as a component: its record is one entry of the outer logs', async () => {
    const rec = await invoke('conductor', { action: 'conductor', params: { action: 'step' }, n: 1 });
    expect(rec.response.result).toEqual({ n: 2 });
    expect(rec.logs).toHaveLength(3);
    const inner = await stored(rec.logs[1]);
    expect(ann(inner, 'conductor')).toBe(true);
    expect(inner.logs).toHaveLength(3);
    expect((inner as { cause?: string }).cause).toBe(rec.activationId);
  }, 90_000);

  it('hands unparseable, missing and forbidden action names back to the conductor with OpenWhisk messages', async () => {
    const invalid = await invoke('conductor', { payload: 'x', action: 'invalid#Action' });
    expect(invalid.response.result).toEqual({ error: 'Failed to parse action name from json value "invalid#Action" during composition.' });
    expect(invalid.logs).toHaveLength(2);
    const missing = await invoke('conductor', { action: 'missingAction' });
    expect(missing.response.result).toEqual({ error: "Failed to resolve action with name 'guest/missingAction' during composition." });
    expect(missing.logs).toHaveLength(2);
    const forbidden = await invoke('conductor', { action: '/someone.else/step' });
    expect(forbidden.response.result).toEqual({
      error: "Failed entitlement check for action with name 'someone.else/step' during composition.",
    });
    expect(forbidden.logs).toHaveLength(2);
    expect(forbidden.response.status).toBe('application error');
  }, 90_000);

  it('allows 50 components and hands the 51st back to the conductor as "Too many actions in the composition."', async () => {
    let chain: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) chain = { action: 'step', state: chain };
    const fifty = await invoke('conductor', { ...chain, n: 0 });
    expect(fifty.response.result).toEqual({ n: 50 });
    expect(fifty.logs).toHaveLength(101);
    const tooLong = await invoke('conductor', { action: 'step', state: chain, n: 0 });
    expect(tooLong.response).toMatchObject({ status: 'application error', result: { error: 'Too many actions in the composition.' } });
  }, 240_000);
}
