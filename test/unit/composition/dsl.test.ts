import { describe, expect, it } from 'vitest';
import * as dsl from '../../../src/dsl/index.js';
import { validateDefinition } from '../../../src/engine/composition/validate.js';

const { composition, sequence, task, choice, when, parallel, map, retry, tryCatch, catchError, wait, pass, set, v, gt, repeat, timeout, fail, doWhile } = dsl;

describe('TypeScript DSL', () => {
  it('builds the same IR as the hand-written document', () => {
    const built = composition(
      sequence(
        set({ n: v('input.n') }),
        retry(task('charge', { input: { id: v('input.id') } }), { maxAttempts: 3, intervalMs: 100 }),
        choice([when(gt(v('input.total'), 100), task('review'))], pass()),
      ),
      { timeoutMs: 1000 },
    );
    expect(built).toEqual({
      whirl: '1',
      timeoutMs: 1000,
      root: {
        type: 'sequence',
        steps: [
          { type: 'set', vars: { n: { var: 'input.n' } } },
          { type: 'task', action: 'charge', input: { id: { var: 'input.id' } }, retry: { maxAttempts: 3, intervalMs: 100 } },
          {
            type: 'choice',
            branches: [{ when: { '>': [{ var: 'input.total' }, 100] }, do: { type: 'task', action: 'review' } }],
            otherwise: { type: 'pass' },
          },
        ],
      },
    });
  });

  it('every builder produces a valid node', () => {
    const def = composition(
      parallel(
        map(timeout(task('a'), 50), { concurrency: 2 }),
        tryCatch(fail('E', 'why'), [catchError(['E'], wait(1)), catchError('*', pass())], pass()),
        repeat(2, pass()),
        doWhile(pass(), false, 3),
      ),
    );
    expect(validateDefinition(def, { actionExists: () => true })).toEqual([]);
  });
});
