import { describe, expect, it } from 'vitest';
import { conductorDefinition } from '../../../src/engine/composition/conductor-definition.js';
import { executionRecord } from '../../../src/engine/composition/execution-record.js';
import { evaluate } from '../../../src/engine/composition/logic.js';
import { validateDefinition } from '../../../src/engine/composition/validate.js';
import type { ExecutionDoc } from '../../../src/ports/execution-store.js';

describe('conductor compositions', () => {
  it('build a valid definition (bounded loop, choices with defaults, one target per task)', () => {
    expect(validateDefinition(conductorDefinition('/ns/c'))).toEqual([]);
    const bad = { whirl: '1', root: { type: 'task', action: 'a', actionFrom: { var: 'input.a' } } };
    expect(validateDefinition(bad).map((i) => i.problem)).toEqual(['a task names exactly one of action, composition or actionFrom']);
    expect(validateDefinition({ whirl: '1', root: { type: 'task', actionFrom: { var: 'input.a' } } })).toEqual([]);
  });

  it('json-logic typeof and assign', () => {
    const data = { input: { o: { a: 1 }, l: [1], s: 's', n: null }, vars: { state: { a: 2, b: 3 } } };
    const t = (x: string) => evaluate({ typeof: { var: x } }, data);
    expect([t('input.o'), t('input.l'), t('input.s'), t('input.n'), t('input.missing')]).toEqual(['object', 'array', 'string', 'null', 'null']);
    expect(evaluate({ assign: [{ var: 'input.o' }, { var: 'vars.state' }, { var: 'input.l' }, 7] }, data)).toEqual({ a: 2, b: 3 });
  });

  it('logs list the steps that ran: a task whose action never resolved is left out', () => {
    const doc = { id: 'p', namespace: 'ns', name: 'c', version: '0.0.1', subject: 's', kind: 'sequence', status: 'succeeded', start: 0,
      result: {}, recordAnnotations: [{ key: 'conductor', value: true }] } as unknown as ExecutionDoc;
    const history = [
      { seq: 1, type: 'TaskDispatched', activationId: 'a1' },
      { seq: 2, type: 'TaskCompleted', activationId: 'a1', duration: 5 },
      { seq: 3, type: 'TaskDispatched', activationId: 'a2' },
      { seq: 4, type: 'TaskCompleted', activationId: 'a2', error: { name: 'NotFound', cause: 'Failed to resolve' } },
      { seq: 5, type: 'TaskDispatched', activationId: 'a3' },
      { seq: 6, type: 'TaskCompleted', activationId: 'a3', error: { name: 'NotFound' }, duration: 2 },
    ];
    const rec = executionRecord(doc, history, 10);
    expect(rec.logs).toEqual(['a1', 'a3']);
    expect(rec.duration).toBe(7);
    expect(rec.annotations).toContainEqual({ key: 'conductor', value: true });
  });
});
