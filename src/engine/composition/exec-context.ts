import type { ExecutionStatus, StepError } from '../../domain/composition.js';
import type { HistoryEntry } from './history.js';

/**
 * The interpreter's state and vocabulary (see interpreter.ts): the context an execution's xstate actor holds and
 * persists, the events it accepts, and the effects a transition asks the engine to perform.
 */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: StepError };

export type FrameState =
  | { k: 'leaf' }
  | { k: 'retrying' }
  | { k: 'seq'; i: number }
  | { k: 'par'; results: unknown[]; pending: number }
  | { k: 'map'; items: unknown[]; next: number; running: number; results: unknown[] }
  | { k: 'loop'; n: number }
  | { k: 'try'; phase: 'do' | 'catch' | 'finally'; saved?: Outcome };

export interface Frame {
  id: number;
  parent?: number;
  /** Index among the parent's children (sequence step, parallel branch, map item). */
  slot: number;
  path: string;
  /** What the node received; its effective input is `arg` (after `input` selection). */
  received: unknown;
  arg: unknown;
  attempt: number;
  st: FrameState;
}

export interface PendingTask {
  frame: number;
  path: string;
  /** `dynamic`: the value a task's `actionFrom` gave (a name to resolve, or anything else: refused when run). */
  target: { action?: string; composition?: string; dynamic?: unknown };
  idempotencyKey: string;
  attempt: number;
  input: unknown;
}

export interface PendingTimer {
  kind: 'wait' | 'retry' | 'timeout' | 'deadline';
  at: number;
  frame?: number;
  attempt?: number;
}

export type Effect =
  | { type: 'dispatch'; activationId: string; task: PendingTask }
  | { type: 'timer'; key: string; at: number }
  | { type: 'history'; entry: HistoryEntry };

export interface ExecContext {
  executionId: string;
  status: ExecutionStatus;
  vars: Record<string, unknown>;
  frames: Record<string, Frame>;
  /** Pending tasks by activation id. */
  tasks: Record<string, PendingTask>;
  timers: Record<string, PendingTimer>;
  nextFrame: number;
  historySeq: number;
  result?: unknown;
  error?: StepError;
  /** Effects of the last transition only (the engine performs them after saving the snapshot). */
  outbox: Effect[];
}

export type ExecEvent =
  | { type: 'task.completed'; activationId: string; outcome: Outcome; duration?: number; now: number; rand: number }
  | { type: 'timer.fired'; key: string; now: number; rand: number }
  | { type: 'cancel'; now: number };

