import type { CompositionDefinition } from '../../src/domain/composition.js';

/**
 * A valid composition using every node kind (shared by the graph unit test and the console browser test). Its only
 * action is `step`, which the browser test deploys first.
 */
export const everyNodeKind: CompositionDefinition = {
  whirl: '1',
  root: {
    type: 'sequence',
    steps: [
      { type: 'set', vars: { n: 0 } },
      { type: 'task', action: 'step', id: 'first', retry: { maxAttempts: 3 }, timeoutMs: 5000 },
      {
        type: 'choice',
        branches: [{ when: { '>': [{ var: 'input.n' }, 1] }, do: { type: 'pass', value: { big: true } } }],
        otherwise: { type: 'wait', ms: 10 },
      },
      { type: 'parallel', branches: [{ type: 'task', action: 'step' }, { type: 'pass' }] },
      { type: 'map', items: [1, 2], concurrency: 2, do: { type: 'task', action: 'step' } },
      { type: 'while', condition: false, maxIterations: 3, do: { type: 'pass' } },
      { type: 'doWhile', condition: false, maxIterations: 3, do: { type: 'pass' } },
      { type: 'repeat', times: 2, do: { type: 'sequence', steps: [{ type: 'pass' }, { type: 'wait', ms: 5 }] } },
      {
        type: 'try',
        do: { type: 'fail', error: 'Oops' },
        catch: [{ errors: ['Oops'], do: { type: 'pass' } }, { do: { type: 'pass' } }],
        finally: { type: 'set', vars: { cleaned: true } },
      },
      {
        type: 'choice',
        branches: [{ when: { var: 'vars.cleaned' }, do: { type: 'succeed' } }],
        otherwise: { type: 'fail', error: 'NotCleaned' },
      },
    ],
  },
};
