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
  /** `queued`: a `launch` work item for this map is already waiting (one is enough). */
  | { k: 'map'; items: unknown[]; next: number; running: number; results: unknown[]; queued?: boolean }
  | { k: 'loop'; n: number }
  | { k: 'try'; phase: 'do' | 'catch' | 'finally'; saved?: Outcome };

export interface Frame {
  id: number;
  parent?: number;
  /** Index among the parent's children (sequence step, parallel branch, map item). */
  slot: number;
  path: string;
  /** The node's effective input (what it received, after `input` selection). */
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

/**
 * A unit of control work waiting in the execution's work stack (`ExecContext.work`). The interpreter never calls
 * itself: entering a node, finishing one and launching map items are pushed here and performed one at a time, so
 * a loop of 100,000 control-only steps uses no more stack than one, and a transition can stop after a budget and
 * leave the rest (it is data, persisted with the context) to the next. `attempt` is the frame's (or the parent's)
 * attempt when the item was pushed: an item left over from an attempt that a retry or timeout ended is dropped.
 */
export type Work =
  | { w: 'enter'; path: string; received: unknown; parent?: number; attempt: number; slot: number }
  | { w: 'complete'; frame: number; attempt: number; outcome: Outcome }
  | { w: 'launch'; frame: number; attempt: number };

export type Effect =
  | { type: 'dispatch'; activationId: string; task: PendingTask }
  /** The transition stopped with work left: the engine sends `continue` once the event loop has turned. */
  | { type: 'continue' }
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
  /** Transitions applied since the start (each event is one; the transition log is numbered by it). */
  transitions?: number;
  /** Control work not yet performed, a stack (the last item runs next); empty between events but for a yield. */
  work: Work[];
  /** JSON size of the state when last measured (bytes): the state limit, and how long a slice runs. */
  stateBytes?: number;
  /** Bytes of values produced since (the state cannot have grown by more). */
  unmeasured?: number;
  result?: unknown;
  error?: StepError;
  /** Effects of the last transition only (the engine performs them after saving the snapshot). */
  outbox: Effect[];
}

export type ExecEvent =
  | { type: 'task.completed'; activationId: string; outcome: Outcome; duration?: number; now: number; rand: number }
  | { type: 'timer.fired'; key: string; now: number; rand: number }
  | { type: 'cancel'; now: number }
  /** Performs the next slice of `work` (after a transition yielded). */
  | { type: 'continue'; now: number };

