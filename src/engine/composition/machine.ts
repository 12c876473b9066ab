import { type Snapshot, assign, createActor, setup, type Actor } from 'xstate';
import type { CompositionDefinition } from '../../domain/composition.js';
import type { ExecContext, ExecEvent } from './exec-context.js';
import { reduce } from './interpreter.js';
import type { ExecutionLimits } from './limits.js';

/**
 * The xstate machine of one execution: `running` until the interpreter's context reaches a terminal status, then a
 * final state of that name. Every event is applied by the pure reducer; the machine owns the context, and its
 * persisted snapshot (`getPersistedSnapshot`) is what the engine saves after each transition.
 */
export function executionMachine(def: CompositionDefinition, limits?: ExecutionLimits) {
  return setup({
    types: { context: {} as ExecContext, events: {} as ExecEvent, input: {} as ExecContext },
    actions: { apply: assign(({ context, event }) => reduce(def, context, event, limits)) },
    guards: {
      succeeded: ({ context }) => context.status === 'succeeded',
      failed: ({ context }) => context.status === 'failed',
      cancelled: ({ context }) => context.status === 'cancelled',
    },
  }).createMachine({
    id: 'execution',
    context: ({ input }) => input,
    initial: 'running',
    states: {
      running: {
        always: [
          { guard: 'succeeded', target: 'succeeded' },
          { guard: 'failed', target: 'failed' },
          { guard: 'cancelled', target: 'cancelled' },
        ],
        on: {
          'task.completed': { actions: 'apply' },
          'timer.fired': { actions: 'apply' },
          cancel: { actions: 'apply' },
          continue: { actions: 'apply' },
        },
      },
      succeeded: { type: 'final' },
      failed: { type: 'final' },
      cancelled: { type: 'final' },
    },
  });
}

export type ExecutionActor = Actor<ReturnType<typeof executionMachine>>;

/** A new actor from a fresh context, or restored from a persisted snapshot. Started. */
export function startExecutionActor(
  def: CompositionDefinition,
  from: { context: ExecContext } | { snapshot: Snapshot<unknown> },
  limits?: ExecutionLimits,
): ExecutionActor {
  const machine = executionMachine(def, limits);
  const actor =
    'snapshot' in from
      ? createActor(machine, { snapshot: from.snapshot, input: undefined } as never)
      : createActor(machine, { input: from.context });
  actor.start();
  return actor;
}
