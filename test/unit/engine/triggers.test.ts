import { describe, expect, it } from 'vitest';
import { MemoryActivationStore, MemoryEntityStore } from '../../../src/adapters/store/memory/index.js';
import type { Composition } from '../../../src/domain/composition.js';
import { newActivationId } from '../../../src/domain/ids.js';
import type { Trigger } from '../../../src/domain/trigger.js';
import type { InvokeRequest } from '../../../src/engine/invoke-service.js';
import { type CompositionStarter, compositionTarget } from '../../../src/engine/triggers/composition-target.js';
import { fireTrigger } from '../../../src/engine/triggers/fire-trigger.js';
import { RuleTargets, actionTarget } from '../../../src/engine/triggers/rule-targets.js';
import { systemClock } from '../../../src/ports/clock.js';
import { silentLogger } from '../../../src/ports/logger.js';

const identity = { namespace: 'ns', subject: 'sub', uuid: 'u' };

async function setup() {
  const entities = new MemoryEntityStore();
  const activations = new MemoryActivationStore();
  const invokes: InvokeRequest[] = [];
  const starts: Array<Parameters<CompositionStarter['startExecution']>[0]> = [];
  const targets = new RuleTargets([
    actionTarget({ entities, engine: { invoke: async (r) => (invokes.push(r), { activationId: newActivationId() }) } }),
    compositionTarget({ entities, compositions: { startExecution: async (r) => (starts.push(r), { activationId: newActivationId() }) } }),
  ]);
  const composition: Composition = {
    namespace: 'ns',
    name: 'flow',
    version: '0.0.1',
    definition: {} as Composition['definition'],
    annotations: [],
    updated: 1,
  };
  await entities.put('compositions', composition);
  const trigger: Trigger = {
    namespace: 'ns',
    name: 't',
    version: '0.0.1',
    publish: false,
    annotations: [],
    parameters: [{ key: 'p', value: 1 }],
    limits: {},
    rules: {
      'ns/to-flow': { action: { path: 'ns', name: 'flow' }, status: 'active' },
      'ns/to-missing': { action: { path: 'ns', name: 'nothing' }, status: 'active' },
      'ns/off': { action: { path: 'ns', name: 'flow' }, status: 'inactive' },
    },
    updated: 1,
  };
  await entities.put('triggers', trigger);
  const deps = { entities, activations, targets, clock: systemClock, logger: silentLogger };
  return { deps, invokes, starts, activations, targets };
}

describe('fireTrigger with pluggable rule targets', () => {
  it('starts a composition target with the merged arguments and the trigger activation as cause', async () => {
    const { deps, starts, invokes, activations } = await setup();
    const out = await fireTrigger(deps, identity, 't', { q: 2 });
    expect('activationId' in out).toBe(true);
    const id = (out as { activationId: string }).activationId;
    expect(invokes).toHaveLength(0);
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ kind: 'composition', name: 'flow', input: { p: 1, q: 2 }, blocking: false, cause: id });
    const rec = await activations.get('ns', id);
    const lines = rec!.logs.map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { statusCode: 0, success: true, activationId: expect.any(String), rule: 'ns/to-flow', action: 'ns/flow' },
      { statusCode: 1, success: false, rule: 'ns/to-missing', action: 'ns/nothing', error: expect.any(String) },
    ]);
  });

  it('answers noActiveRules and stores nothing when every rule is inactive; 404 for a missing trigger', async () => {
    const { deps } = await setup();
    await deps.entities.put('triggers', { namespace: 'ns', name: 'quiet', version: '0.0.1', publish: false, annotations: [], parameters: [], limits: {}, updated: 1 } as Trigger);
    expect(await fireTrigger(deps, identity, 'quiet', {})).toEqual({ noActiveRules: true });
    await expect(fireTrigger(deps, identity, 'absent', {})).rejects.toMatchObject({ code: 'WHIRL_NOT_FOUND' });
  });

  it('knows which targets exist, only in the caller namespace', async () => {
    const { targets } = await setup();
    expect(await targets.exists(identity, { path: 'ns', name: 'flow' })).toBe(true);
    expect(await targets.exists(identity, { path: 'ns', name: 'nothing' })).toBe(false);
    expect(await targets.exists({ ...identity, namespace: 'other' }, { path: 'ns', name: 'flow' })).toBe(false);
  });
});
