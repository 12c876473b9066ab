import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASL_CASES } from '../fixtures/asl/cases.js';
import { describeWith } from '../helpers/services.js';
import { type Mode, type TestWhirl, startTestWhirl } from '../helpers/whirl.js';

/**
 * AWS's documented state machines imported through `PUT …/compositions/{name}` with an `asl` body into a whole
 * Whirl (real actions in containers), run with the documented input, compared with the documented output.
 */
describe('embedded (file store, in-process queue, process containers)', () => suite('embedded'));
describeWith(['redis', 'couchdb', 'docker'], 'full (BullMQ, CouchDB, Docker)', () => suite('full'));

const NS = '/api/v1/namespaces/_';
const asl = (file: string) => JSON.parse(readFileSync(`test/fixtures/asl/${file}`, 'utf8')) as Record<string, unknown>;
const nameOf = (file: string) => file.replace(/\.json$/, '');

function suite(mode: Mode): void {
  let w: TestWhirl;

  beforeAll(async () => {
    w = await startTestWhirl(mode);
    const actions = new Map<string, string>();
    for (const c of ASL_CASES) for (const [name, code] of Object.entries(c.actions)) actions.set(name, code);
    for (const [name, code] of actions) {
      const r = await w.api('PUT', `${NS}/actions/${name}`, { exec: { kind: 'nodejs:default', code } });
      if (r.status !== 200) throw new Error(`action ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }, 120_000);
  afterAll(() => w?.stop());

  describe('AWS documentation state machines', () => {
    it.each(ASL_CASES.map((c) => [c.file, c] as const))('%s imports, runs and gives the documented output', async (file, c) => {
      const put = await w.api('PUT', `${NS}/compositions/${nameOf(file)}`, { asl: asl(file) });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body.definition.whirl).toBe('1');
      const run = await w.api('POST', `${NS}/compositions/${nameOf(file)}?blocking=true`, c.input);
      expect(run.status, JSON.stringify(run.body)).toBe(200);
      const id = run.headers.get('x-openwhisk-activation-id');
      const exec = await w.api('GET', `${NS}/compositions/${nameOf(file)}/executions/${id}`);
      expect(exec.body).toMatchObject({ status: 'succeeded' });
      expect(exec.body.result).toEqual(c.expected);
    }, 60_000);
  });

  describe('refusals', () => {
    it('answers 400 WHIRL_ASL_UNSUPPORTED naming the state and why, and stores nothing', async () => {
      const machine = {
        StartAt: 'Start',
        States: {
          Start: { Type: 'Pass', Next: 'Put item' },
          'Put item': { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't' }, End: true },
        },
      };
      const r = await w.api('PUT', `${NS}/compositions/refused`, { asl: machine });
      expect(r.status).toBe(400);
      // OpenWhisk's error body: {error, code: transaction id}; the message names the state (WHIRL_ASL_UNSUPPORTED).
      expect(r.body.error).toMatch(/^The state machine cannot be imported: state "Put item": /);
      expect(r.body.error).toContain('service integration');
      expect((await w.api('GET', `${NS}/compositions/refused`)).status).toBe(404);
    });

    it('rejects a body with both definition and asl, and an asl that is not an object', async () => {
      const both = await w.api('PUT', `${NS}/compositions/both`, { asl: asl('hello-world.json'), definition: { whirl: '1', root: { type: 'pass' } } });
      expect(both.status).toBe(400);
      expect(both.body.error).toContain('either definition or asl');
      const notObject = await w.api('PUT', `${NS}/compositions/scalar`, { asl: 'StartAt' });
      expect(notObject.status).toBe(400);
    });

    it('checks the actions an imported machine names, as for any composition', async () => {
      const machine = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'no-such-action', End: true } } };
      const r = await w.api('PUT', `${NS}/compositions/missing-action`, { asl: machine });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/^The composition is not valid: .*unknown action no-such-action/);
    });
  });
}
