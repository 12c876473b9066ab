import type { StepError } from '../../domain/composition.js';

/**
 * One entry of an execution's append-only history. `seq` is dense from 1 per execution, so appending the same
 * entry twice (a transition replayed after a crash) is detected and kept once by the store.
 */
export interface HistoryEntry {
  seq: number;
  at: number;
  type:
    | 'ExecutionStarted'
    | 'ExecutionSucceeded'
    | 'ExecutionFailed'
    | 'ExecutionCancelled'
    | 'StepStarted'
    | 'StepSucceeded'
    | 'StepFailed'
    | 'TaskDispatched'
    | 'TaskCompleted'
    | 'RetryScheduled'
    | 'WaitStarted';
  /** JSON pointer of the node in the definition. */
  path?: string;
  attempt?: number;
  activationId?: string;
  error?: StepError;
  /** Results of steps and executions (not inputs: the log stays proportional to what happened). */
  result?: unknown;
  /** For `RetryScheduled` / `WaitStarted`: when it resumes (epoch ms). */
  resumeAt?: number;
  /** For `TaskCompleted`: the activation's duration (ms). */
  duration?: number;
}
