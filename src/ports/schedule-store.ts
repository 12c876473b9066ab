/**
 * Schedules (the alarm feed's state) shared by every API process, and the once-per-tick claim that makes a tick
 * fire exactly once however many processes run the scheduler.
 *
 * Contract (test/contract/schedule-store.contract.ts):
 * - `put` creates or replaces by `id`; `get`/`list` return copies; `delete` of an absent id is a no-op, and
 *   resets `lastTick` (a schedule created again starts afresh from its new `createdAt`).
 * - `claimTick(id, at)` returns true for exactly one caller per (id, at), across every process sharing the store,
 *   and then `lastTick(id)` is at least `at` (the maximum claimed tick, never moving backwards).
 * - Outages reject (WHIRL_UNAVAILABLE / WHIRL_STORE_UNAVAILABLE); a claim that rejected is not counted.
 */
export interface ScheduleStore {
  put(schedule: Schedule): Promise<void>;
  get(id: string): Promise<Schedule | undefined>;
  delete(id: string): Promise<void>;
  list(): Promise<Schedule[]>;
  claimTick(id: string, at: number): Promise<boolean>;
  lastTick(id: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** When a schedule ticks: a cron expression, a fixed interval from `anchor`, or one instant. */
export type ScheduleSpec =
  | { kind: 'cron'; cron: string; timezone?: string }
  | { kind: 'interval'; everyMs: number; anchor: number }
  | { kind: 'once'; at: number };

/** What to do with ticks found late (older than the on-time tolerance), e.g. after every process was down. */
export type MissedTickPolicy = 'skip' | 'latest' | 'all';

export interface Schedule {
  /** `namespace/trigger`: one schedule per trigger. */
  id: string;
  namespace: string;
  trigger: string;
  /** The trigger owner's identity, to fire as. */
  subject: string;
  uuid: string;
  spec: ScheduleSpec;
  /** The fire payload (OpenWhisk alarm's `trigger_payload`). */
  payload: Record<string, unknown>;
  /** Epoch ms: no tick before `startAt`, none after `stopAt`. */
  startAt?: number;
  stopAt?: number;
  missed: MissedTickPolicy;
  paused: boolean;
  /** Epoch ms of CREATE: the first tick is after it. */
  createdAt: number;
}
