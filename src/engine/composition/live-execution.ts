import type { ActivationRecord } from '../../domain/activation.js';
import type { ActivationQueue } from '../../ports/activation-queue.js';
import type { ActivationStore } from '../../ports/activation-store.js';
import type { Clock } from '../../ports/clock.js';
import type { EntityStore } from '../../ports/entity-store.js';
import type { ExecutionDoc, ExecutionStore, HistoryRecord } from '../../ports/execution-store.js';
import type { Logger } from '../../ports/logger.js';
import type { ExecutionLimits } from './limits.js';
import type { ExecutionActor } from './machine.js';
import type { StateWriter } from './state-writer.js';

export interface CompositionEngineDeps {
  queue: ActivationQueue;
  activations: ActivationStore;
  executions: ExecutionStore;
  entities: EntityStore;
  clock: Clock;
  logger: Logger;
  /** Unique per engine: task completions are addressed to it. */
  instanceId: string;
  /** How often pending tasks are looked up in the activation store (completions are best effort). */
  pollMs: number;
  /**
   * How long a replayable transition's snapshot and history wait before they are written (ms; default 0). Writes
   * made within the window coalesce into one, and they leave the moment a step completes, when the next step's
   * publish and pickup are on the critical path. Ordered transitions are written at once (their effects wait).
   */
  saveDelayMs?: number;
  random?: () => number;
  /** Bounds on executions (limits.ts); defaults: DEFAULT_LIMITS. */
  limits?: Partial<ExecutionLimits>;
}

/** An execution held in memory by the engine. */
export interface Live {
  doc: ExecutionDoc;
  actor: ExecutionActor;
  /** Transitions of one execution are applied one at a time, in order. */
  chain: Promise<void>;
  timers: Map<string, { cancel(): void }>;
  waiters: Set<(record: ActivationRecord) => void>;
  /** When each pending task was (re)published, for the store poll. */
  dispatchedAt: Map<string, number>;
  /** Its snapshot and history writes (see state-writer.ts). */
  writer: StateWriter;
  /**
   * Resumed from a stored snapshot: tasks it dispatches may already have been published by the engine that crashed
   * (a replayed transition), so their records are looked up before publishing.
   */
  resumed: boolean;
  /**
   * The history entries its record needs (`feedsRecord`), when this engine applied every transition since the start;
   * otherwise (resumed, unparked) the record is built from the stored history.
   */
  recordLog: HistoryRecord[] | undefined;
}

