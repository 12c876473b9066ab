import { type ActivationRecord, StatusCode } from '../../domain/activation.js';
import type { Composition } from '../../domain/composition.js';
import type { Identity } from '../../domain/identity.js';
import { type ActivationId, newActivationId } from '../../domain/ids.js';
import type { Subscription } from '../../ports/activation-queue.js';
import type { ExecutionDoc, ExecutionQuery, ExecutionSummary, HistoryRecord } from '../../ports/execution-store.js';
import type { InvokeOutcome, InvokeRequest } from '../invoke-service.js';
import { ended, errorFromRecord, executionRecord, feedsRecord } from './execution-record.js';
import type { ExecContext, ExecEvent, Outcome, PendingTask } from './exec-context.js';
import { initialContext } from './interpreter.js';
import { DEFAULT_LIMITS, type ExecutionLimits } from './limits.js';
import { type ExecutionActor, startExecutionActor } from './machine.js';
import { StepResolver } from './step-resolver.js';
import { StateWriter, appendWithRetry, historyEntries, replayable } from './state-writer.js';
import { type StartRequest, compositionStart, sequenceStart } from './start-request.js';
import type { CompositionEngineDeps, Live } from './live-execution.js';

export type { StartRequest } from './start-request.js';
export type { CompositionEngineDeps } from './live-execution.js';

/**
 * An execution with no step in flight whose next timer is at least this far away (ms) is dropped from memory and
 * reloaded from its snapshot when the timer is due: thousands of parked waits cost a timer each, not an actor.
 */
const PARK_AFTER_MS = 1000;

/**
 * Runs compositions and OpenWhisk sequences. Each execution is an xstate actor whose persisted snapshot is saved
 * after every transition, before its effects are performed (dispatch, timers) — except a *replayable* transition
 * (state-writer.ts: the only pending task completed, nothing else could have come first), whose dispatch goes out
 * while its snapshot is being saved: a crash before the save is replayed into the same activation ids, and a resumed
 * execution looks every task's record up before publishing it. History goes to an append-only log.
 *
 * Recovery: completions come back over the queue's best-effort channel, so pending tasks are also looked up in the
 * activation store every `pollMs`, and at startup every running execution is resumed: a task with a record is
 * applied, one without is published again under its deterministic activation id (the queue keeps one message per
 * id, and a record is stored before its delivery finishes — so no step runs twice). A duplicate completion finds no
 * pending task and is ignored.
 *
 * One engine owns the executions of its store (no leases between several API processes yet).
 */
export class CompositionEngine {
  private readonly live = new Map<string, Live>();
  /** Pending task activation id → execution id. */
  private readonly taskOwner = new Map<string, string>();
  private subscription: Subscription | undefined;
  private pollTimer: { cancel(): void } | undefined;
  private stopped = false;
  private readonly random: () => number;
  private readonly steps: StepResolver;
  /** Executions parked out of memory: id → the timer that brings them back. */
  private readonly parked = new Map<string, { cancel(): void }>();

  private readonly limits: ExecutionLimits;

  constructor(private readonly deps: CompositionEngineDeps) {
    this.random = deps.random ?? Math.random;
    this.steps = new StepResolver(deps);
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
  }

  /**
   * The limits an execution runs under. A sequence's data stays under OpenWhisk's payload limit, which each
   * component activation enforces, so only its step counts are bounded here.
   */
  private limitsFor(kind: ExecutionDoc['kind']): ExecutionLimits {
    return kind === 'sequence' ? { ...this.limits, maxResultBytes: Infinity, maxStateBytes: Infinity } : this.limits;
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.queue.subscribeCompletions(this.deps.instanceId, (c) => {
      // Steps ask for their records; acknowledgements on this instance's channel are the Activator's.
      if (c.record) this.onRecord(c.record);
    });
    for (const doc of await this.deps.executions.listActive()) await this.resume(doc, true);
    this.schedulePoll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pollTimer?.cancel();
    for (const t of this.parked.values()) t.cancel();
    this.parked.clear();
    await this.subscription?.close();
    const lives = [...this.live.values()];
    await Promise.allSettled(lives.map((l) => l.chain));
    await Promise.allSettled(lives.map((l) => l.writer.idle()));
    for (const l of lives) {
      for (const t of l.timers.values()) t.cancel();
      l.actor.stop();
    }
    this.live.clear();
  }

  /** Running executions: in memory, or parked until their next timer. */
  get running(): number {
    return this.live.size + this.parked.size;
  }

  /** Running executions held in memory (the rest are parked). */
  get resident(): number {
    return this.live.size;
  }

  /** `InvokeService` for sequence actions: the Activator hands them here. */
  invokeSequence(req: InvokeRequest): Promise<InvokeOutcome> {
    return this.startExecution(sequenceStart(req));
  }

  invokeComposition(
    identity: Identity,
    composition: Composition,
    input: unknown,
    opts: { blocking: boolean; waitMs: number },
  ): Promise<InvokeOutcome> {
    return this.startExecution(compositionStart(identity, composition, input, opts));
  }

  async startExecution(req: StartRequest): Promise<InvokeOutcome> {
    const id = (req.executionId ?? newActivationId()) as ActivationId;
    const now = this.deps.clock.now();
    const limits = this.limitsFor(req.kind);
    const context = initialContext(req.definition, id, req.input, now, limits);
    const actor = startExecutionActor(req.definition, { context }, limits);
    const doc: ExecutionDoc = {
      id,
      namespace: req.identity.namespace,
      subject: req.identity.subject,
      kind: req.kind,
      name: req.name,
      version: req.version,
      definition: req.definition,
      recordAnnotations: req.recordAnnotations ?? [],
      start: now,
      status: 'running',
      snapshot: actor.getPersistedSnapshot(),
      ...(req.cause !== undefined ? { cause: req.cause } : {}),
      ...(req.depth ? { depth: req.depth } : {}),
    };
    await this.deps.executions.create(doc);
    const live = this.track(doc, actor, false);
    live.recordLog = [];
    let timer: { cancel(): void } | undefined;
    let waiter: ((record: ActivationRecord | undefined) => void) | undefined;
    const completed = req.blocking
      ? new Promise<ActivationRecord | undefined>((resolve) => {
          waiter = resolve;
          live.waiters.add(resolve);
          timer = this.deps.clock.setTimeout(() => resolve(undefined), req.waitMs);
        })
      : undefined;
    live.chain = live.chain.then(() => this.afterTransition(live, context, 'initial'));
    await live.chain;
    if (!completed) return { activationId: id };
    const record = await completed;
    timer?.cancel();
    // A caller that stopped waiting (202) must not keep the execution from being parked.
    if (waiter) live.waiters.delete(waiter);
    return record ? { activationId: id, record } : { activationId: id };
  }

  async cancel(id: string): Promise<ExecutionDoc | undefined> {
    if (this.parked.has(id)) await this.unpark(id);
    const live = this.live.get(id);
    if (live) {
      for (const taskId of Object.keys(this.context(live).tasks)) if (this.live.has(taskId)) await this.cancel(taskId);
      await this.apply(live, { type: 'cancel', now: this.deps.clock.now() });
    }
    return this.deps.executions.get(id);
  }

  /** Reads wait for a transition in progress here, its terminal writes included: a caller reads what it was told. */
  async execution(id: string): Promise<ExecutionDoc | undefined> {
    await this.settled(id);
    return this.deps.executions.get(id);
  }

  /** Executions of one composition or sequence, newest first (the store's listing). */
  list(q: ExecutionQuery): Promise<ExecutionSummary[]> {
    return this.deps.executions.list(q);
  }

  async history(id: string, page: { afterSeq: number; limit: number }): Promise<HistoryRecord[]> {
    await this.settled(id);
    return this.deps.executions.history(id, page);
  }

  /** Waits until the execution has no transition in progress (a finishing one: until its last writes are done). */
  async settled(id: string): Promise<void> {
    await this.live.get(id)?.chain;
  }

  private context(live: Live): ExecContext {
    return live.actor.getSnapshot().context;
  }

  /** `first`: history entries the stored state may not have appended yet (default: the snapshot's outbox). */
  private track(doc: ExecutionDoc, actor: ExecutionActor, resumed: boolean, first?: HistoryRecord[]): Live {
    const ctx = actor.getSnapshot().context;
    const running = ctx.status === 'running';
    const live: Live = {
      doc,
      actor,
      chain: Promise.resolve(),
      timers: new Map(),
      waiters: new Set(),
      dispatchedAt: new Map(),
      // The initial snapshot (stored by `create`) or the resumed one: its outbox's history is appended (again);
      // an execution that ended in its first transition leaves that to `finish`.
      writer: new StateWriter(doc.id, this.deps, first ?? (running ? historyEntries(ctx) : [])),
      resumed,
      recordLog: undefined,
    };
    this.live.set(doc.id, live);
    return live;
  }

  /**
   * Brings a stored execution back: its snapshot, then the transitions logged after it, replayed through the
   * reducer (deterministic: the same state, activation ids and history entries as when they first ran; entries
   * are appended again, idempotent by seq). `afterCrash`: at startup (another engine may have run it further than
   * what is stored), not from a park.
   */
  private async resume(doc: ExecutionDoc, afterCrash: boolean): Promise<void> {
    const actor = startExecutionActor(doc.definition, { snapshot: doc.snapshot as never }, this.limitsFor(doc.kind));
    const first = historyEntries(actor.getSnapshot().context);
    for (const t of await this.deps.executions.transitions(doc.id, doc.snapshotAt ?? 0)) {
      const at = actor.getSnapshot().context.transitions ?? 0;
      if (t.n <= at) continue;
      if (t.n !== at + 1 || actor.getSnapshot().context.status !== 'running') break; // nothing after a gap applies
      actor.send(t.event as ExecEvent);
      first.push(...historyEntries(actor.getSnapshot().context));
    }
    if (this.live.has(doc.id) || this.stopped) {
      actor.stop(); // brought back meanwhile
      return;
    }
    const live = this.track(doc, actor, afterCrash, first);
    const ctx = this.context(live);
    if (ctx.status !== 'running') {
      // Its last transition ended it, but the terminal writes were lost: write them now.
      live.chain = live.chain.then(() => this.finish(live, ctx));
      return;
    }
    this.deps.logger.info({ executionId: doc.id, tasks: Object.keys(ctx.tasks).length }, 'resuming execution');
    for (const [key, t] of Object.entries(ctx.timers)) this.arm(live, key, t.at);
    if ((ctx.work ?? []).length > 0) this.continueSoon(live);
    for (const [activationId, task] of Object.entries(ctx.tasks)) {
      this.taskOwner.set(activationId, doc.id);
      // A pending task: its record is applied if it exists, else it is published again (same id: no dupes).
      live.chain = live.chain.then(() => (this.live.has(activationId) ? undefined : this.dispatch(live, activationId, task, true)));
    }
  }

  private apply(live: Live, event: ExecEvent): Promise<void> {
    live.chain = live.chain.then(async () => {
      if (!this.live.has(live.doc.id)) return;
      const before = this.context(live);
      live.actor.send(event);
      const after = this.context(live);
      const ahead = replayable(before, event, after) && !live.writer.orderedUnsaved;
      await this.afterTransition(live, after, ahead ? 'replayable' : 'ordered', event);
    });
    live.chain = live.chain.catch((err: unknown) =>
      this.deps.logger.error({ err: String(err), executionId: live.doc.id }, 'composition transition failed'),
    );
    return live.chain;
  }

  /**
   * Snapshot first, then effects — or, for a replayable transition, both at once (the save overlaps the step's run).
   * History entries travel inside the snapshot (the outbox); the writer appends them (state-writer.ts), and a
   * resumed execution appends its snapshot's outbox again (idempotent by seq), so no entry is lost to a crash.
   */
  private async afterTransition(
    live: Live,
    ctx: ExecContext,
    mode: 'initial' | 'ordered' | 'replayable',
    event?: ExecEvent,
  ): Promise<void> {
    live.recordLog?.push(...historyEntries(ctx).filter(feedsRecord));
    if (ctx.status !== 'running') return this.finish(live, ctx);
    // The initial snapshot was stored by `create` (its history is appended by the writer).
    // A replayable transition's effects go first: its write (possibly delayed, state-writer.ts) must not hold up the
    // next step's publish.
    const step = event && ctx.transitions !== undefined ? { n: ctx.transitions, event } : undefined;
    const write = (ordered: boolean) => live.writer.write(live.actor.getPersistedSnapshot(), historyEntries(ctx), ordered, step);
    if (mode === 'ordered') await write(true);
    for (const effect of ctx.outbox) {
      if (effect.type === 'continue') this.continueSoon(live);
      if (effect.type === 'timer') this.arm(live, effect.key, effect.at);
      if (effect.type === 'dispatch') {
        this.taskOwner.set(effect.activationId, live.doc.id);
        void this.dispatch(live, effect.activationId, effect.task);
      }
    }
    // A failed replayable write is retried by the next one.
    if (mode === 'replayable') write(false).catch((err: unknown) => this.deps.logger.warn({ err: String(err), executionId: live.doc.id }, 'snapshot save failed'));
    this.maybePark(live, ctx);
  }

  /**
   * A transition yielded with control work left: the next slice runs once the event loop has served what waits
   * (other executions' events, API requests), so no execution holds the process for more than one slice.
   */
  private continueSoon(live: Live): void {
    setImmediate(() => {
      if (!this.stopped && this.live.get(live.doc.id) === live) void this.apply(live, { type: 'continue', now: this.deps.clock.now() });
    });
  }

  /** Drops an idle execution from memory until its next timer (its snapshot is already stored). */
  private maybePark(live: Live, ctx: ExecContext): void {
    if (this.stopped || live.waiters.size > 0 || Object.keys(ctx.tasks).length > 0 || ctx.work.length > 0) return;
    const next = Math.min(...Object.values(ctx.timers).map((t) => t.at));
    const delay = next - this.deps.clock.now();
    if (!Number.isFinite(next) || delay < PARK_AFTER_MS) return;
    for (const t of live.timers.values()) t.cancel();
    live.timers.clear();
    live.actor.stop();
    this.live.delete(live.doc.id);
    const id = live.doc.id;
    this.parked.set(id, this.deps.clock.setTimeout(() => void this.unpark(id), delay));
  }

  /** Brings a parked execution back from its stored snapshot (due timers fire at once). */
  private async unpark(id: string): Promise<void> {
    this.parked.get(id)?.cancel();
    this.parked.delete(id);
    const doc = await this.deps.executions.get(id);
    if (doc?.status === 'running' && !this.live.has(id) && !this.stopped) await this.resume(doc, false);
  }

  private arm(live: Live, key: string, at: number): void {
    if (this.stopped) return;
    live.timers.get(key)?.cancel();
    const delay = Math.max(0, at - this.deps.clock.now());
    live.timers.set(
      key,
      this.deps.clock.setTimeout(() => {
        live.timers.delete(key);
        void this.apply(live, { type: 'timer.fired', key, now: this.deps.clock.now(), rand: this.random() });
      }, delay),
    );
  }

  /**
   * Publishes a task (or starts its child execution). `maybeDone` (after a crash, a replayed transition re-derives
   * tasks already published): its record is looked up first and applied if it exists; else the publish under the
   * same id is a no-op while the queue still knows the message (BullMQ: until an hour after it finished).
   */
  private async dispatch(live: Live, activationId: string, task: PendingTask, maybeDone = live.resumed): Promise<void> {
    live.dispatchedAt.set(activationId, this.deps.clock.now());
    const { doc } = live;
    try {
      const step = await this.steps.resolve(doc, activationId, task);
      if (step.kind === 'failed') return this.complete(activationId, { ok: false, error: step.error });
      const record = maybeDone ? await this.deps.activations.get(doc.namespace, activationId).catch(() => undefined) : undefined;
      if (record) return this.onRecord(record);
      if (step.kind === 'activation') return await this.deps.queue.publish(step.msg);
      // A child execution's id is the task's activation id: its record completes the task like any activation.
      if (this.live.has(activationId) || this.parked.has(activationId) || (await this.deps.executions.get(activationId))) return;
      const depth = (doc.depth ?? 0) + 1;
      if (depth > this.limits.maxNesting) {
        const cause = `child executions nested deeper than ${this.limits.maxNesting}`;
        return this.complete(activationId, { ok: false, error: { name: 'NestingLimitExceeded', cause } });
      }
      const identity = { namespace: doc.namespace, subject: doc.subject, uuid: '' };
      await this.startExecution({
        identity,
        ...step.child,
        input: task.input,
        blocking: false,
        waitMs: 0,
        executionId: activationId,
        cause: doc.id,
        depth,
      });
    } catch (err) {
      // Not accepted: the store poll publishes it again (same id) until the queue takes it.
      live.dispatchedAt.set(activationId, 0);
      this.deps.logger.warn({ err: String(err), activationId }, 'dispatching a composition step failed; will retry');
    }
  }

  /** A finished activation (from the completion channel, the store poll, or a child execution). */
  private onRecord(record: ActivationRecord): void {
    const ok = record.response.statusCode === StatusCode.Success;
    const outcome: Outcome = ok ? { ok: true, value: record.response.result ?? {} } : { ok: false, error: errorFromRecord(record) };
    this.complete(record.activationId, outcome, record.duration);
  }

  private complete(activationId: string, outcome: Outcome, duration?: number): void {
    const owner = this.taskOwner.get(activationId);
    const live = owner === undefined ? undefined : this.live.get(owner);
    if (!live) return;
    this.taskOwner.delete(activationId);
    live.dispatchedAt.delete(activationId);
    void this.apply(live, {
      type: 'task.completed',
      activationId,
      outcome,
      now: this.deps.clock.now(),
      rand: this.random(),
      ...(duration !== undefined ? { duration } : {}),
    });
  }

  /**
   * An execution ended: its last history entries and its activation record (at once, when this engine saw the whole
   * history; else the record is built from the stored log once complete), then the terminal status. In that order a
   * crash leaves it `running`; the resumed engine replays the last event and writes the same record (kept once).
   * Blocking callers get the record before those writes when it is already known, as a blocking action invoke
   * answers before its record is stored; a parent execution hears only once everything is stored.
   */
  private async finish(live: Live, ctx: ExecContext): Promise<void> {
    const { doc: done, update } = ended(live.doc, ctx, this.deps.clock.now(), live.actor.getPersistedSnapshot());
    let record = live.recordLog && executionRecord(done, live.recordLog, update.end);
    if (record) this.answer(live, record);
    await live.writer.idle();
    const appended = appendWithRetry(this.deps, live.doc.id, [...live.writer.takeUnwritten(), ...historyEntries(ctx)]);
    if (!record) {
      await appended;
      const history = await this.deps.executions.history(done.id, { afterSeq: 0, limit: Number.MAX_SAFE_INTEGER });
      record = executionRecord(done, history, update.end);
    }
    await Promise.all([appended, this.deps.activations.putBatch([record])]);
    await this.deps.executions.save(done.id, update);
    for (const t of live.timers.values()) t.cancel();
    live.timers.clear();
    this.live.delete(live.doc.id);
    live.actor.stop();
    this.answer(live, record);
    this.onRecord(record); // a child execution completes its parent's task
  }

  private answer(live: Live, record: ActivationRecord): void {
    for (const w of live.waiters) w(record);
    live.waiters.clear();
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.pollTimer = this.deps.clock.setTimeout(() => {
      void this.poll().finally(() => this.schedulePoll());
    }, this.deps.pollMs);
  }

  /** Looks up records of tasks pending for longer than `pollMs`; republishes those never accepted. */
  private async poll(): Promise<void> {
    const now = this.deps.clock.now();
    for (const live of [...this.live.values()]) {
      for (const [activationId, at] of [...live.dispatchedAt]) {
        if (now - at < this.deps.pollMs || this.live.has(activationId)) continue;
        const record = await this.deps.activations.get(live.doc.namespace, activationId).catch(() => undefined);
        if (record) this.onRecord(record);
        else if (at === 0) {
          const task = this.context(live).tasks[activationId];
          if (task) await this.dispatch(live, activationId, task);
        }
      }
    }
  }
}
