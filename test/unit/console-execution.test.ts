import { describe, expect, it } from 'vitest';
import { currentSteps, replay } from '../../console/execution.js';

// What the live execution view derives from GET …/executions/{id}/history (entry shapes of
// src/engine/composition/history.ts).
const h = (seq: number, type: string, extra: Record<string, unknown> = {}) => ({ seq, at: 1000 + seq, type, ...extra });

describe('console execution replay', () => {
  const running = [
    h(1, 'ExecutionStarted'),
    h(2, 'StepStarted', { path: '/root' }),
    h(3, 'StepStarted', { path: '/root/steps/0' }),
    h(4, 'TaskDispatched', { path: '/root/steps/0', activationId: 'a1', attempt: 1 }),
    h(5, 'TaskCompleted', { path: '/root/steps/0', activationId: 'a1', attempt: 1, result: {}, duration: 12 }),
    h(6, 'StepSucceeded', { path: '/root/steps/0' }),
    h(7, 'StepStarted', { path: '/root/steps/1' }),
    h(8, 'WaitStarted', { path: '/root/steps/1', resumeAt: 5000 }),
  ];

  it('marks the step in progress as current, finished ones done, and lists each task activation and wait', () => {
    const { nodes, steps } = replay(running);
    expect(Object.fromEntries(nodes)).toEqual({ '/root': 'current', '/root/steps/0': 'done', '/root/steps/1': 'waiting' });
    expect(currentSteps(nodes)).toEqual(['/root/steps/1']);
    expect(steps).toEqual([
      { kind: 'task', path: '/root/steps/0', activationId: 'a1', attempt: 1, status: 'succeeded', at: 1004, duration: 12 },
      { kind: 'wait', path: '/root/steps/1', at: 1008, resumeAt: 5000, status: 'waiting' },
    ]);
  });

  it('follows retries and failures, and abandons what was in flight once the execution is over', () => {
    const more = [
      ...running,
      h(9, 'StepSucceeded', { path: '/root/steps/1' }),
      h(10, 'StepStarted', { path: '/root/steps/2' }),
      h(11, 'TaskDispatched', { path: '/root/steps/2', activationId: 'b1', attempt: 1 }),
      h(12, 'TaskCompleted', { path: '/root/steps/2', activationId: 'b1', attempt: 1, error: { name: 'ApplicationError' } }),
      h(13, 'RetryScheduled', { path: '/root/steps/2', attempt: 1, resumeAt: 9000 }),
    ];
    const mid = replay(more);
    expect(mid.nodes.get('/root/steps/2')).toBe('retrying');
    expect(mid.steps[1]!.status).toBe('done');
    expect(mid.steps[2]).toMatchObject({ activationId: 'b1', status: 'failed', error: { name: 'ApplicationError' } });

    const retried = [...more, h(14, 'TaskDispatched', { path: '/root/steps/2', activationId: 'b2', attempt: 2 })];
    const cancelled = replay([...retried, h(15, 'ExecutionCancelled')], 'cancelled');
    expect(cancelled.steps.at(-1)).toMatchObject({ activationId: 'b2', attempt: 2, status: 'abandoned' });
    expect(cancelled.nodes.get('/root/steps/2')).toBe('abandoned');
    expect(currentSteps(cancelled.nodes)).toEqual([]);
  });
});
