import { type ActivationRecord, StatusCode } from '../../domain/activation.js';
import type { Composition } from '../../domain/composition.js';
import type { Identity } from '../../domain/identity.js';
import { type ActivationId, newActivationId } from '../../domain/ids.js';
import type { Subscription } from '../../ports/activation-queue.js';
import type { ExecutionDoc, HistoryRecord } from '../../ports/execution-store.js';
import type { InvokeOutcome, InvokeRequest } from '../invoke-service.js';
import { errorFromRecord, executionRecord } from './execution-record.js';
import type { ExecContext, ExecEvent, Outcome, PendingTask } from './exec-context.js';
import { initialContext } from './interpreter.js';
import { type ExecutionActor, startExecutionActor } from './machine.js';
import { StepResolver } from './step-resolver.js';
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
 * after every transition, before its effects are performed (dispatch, timers); history goes to an append-only log.
 *
 * Recovery: completions come back over the queue's best-effort channel, so pending tasks are also looked up in the
 * activation store every `pollMs`, and at startup every running execution is resumed: a pending task with a record
 * is applied, one without is published again under the same deterministic activation id (the queue keeps one
 * message per id, and a record is stored before its delivery finishes — so no step runs twice). A completion that
 * arrives twice finds no pending task the second time and is ignored.
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

  constructor(private readonly deps: CompositionEngineDeps) {
    this.random = deps.random ?? Math.random;
    this.steps = new StepResolver(deps);
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.queue.subscribeCompletions(this.deps.instanceId, (c) => this.onRecord(c.record));
    for (const doc of await this.deps.executions.listActive()) this.resume(doc);
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
    const context = initialContext(req.definition, id, req.input, now);
    const actor = startExecutionActor(req.definition, { context });
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
    };
    await this.deps.executions.create(doc);
    const live = this.track(doc, actor);
    let timer: { cancel(): void } | undefined;
    let waiter: ((record: ActivationRecord | undefined) => void) | undefined;
    const completed = req.blocking
      ? new Promise<ActivationRecord | undefined>((resolve) => {
          waiter = resolve;
          live.waiters.add(resolve);
          timer = this.deps.clock.setTimeout(() => resolve(undefined), req.waitMs);
        })
      : undefined;
    live.chain = live.chain.then(() => this.afterTransition(live, context, true));
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

  execution(id: string): Promise<ExecutionDoc | undefined> {
    return this.deps.executions.get(id);
  }

  history(id: string, page: { afterSeq: number; limit: number }): Promise<HistoryRecord[]> {
    return this.deps.executions.history(id, page);
  }

  /** Waits until the execution has no transition in progress (tests). */
  async settled(id: string): Promise<void> {
    await this.live.get(id)?.chain;
  }

  private context(live: Live): ExecContext {
    return live.actor.getSnapshot().context;
  }

  private track(doc: ExecutionDoc, actor: ExecutionActor): Live {
    const live: Live = {
      doc,
      actor,
      chain: Promise.resolve(),
      timers: new Map(),
      waiters: new Set(),
      dispatchedAt: new Map(),
      historyWrite: Promise.resolve(),
    };
    this.live.set(doc.id, live);
    return live;
  }

  private resume(doc: ExecutionDoc): void {
    const actor = startExecutionActor(doc.definition, { snapshot: doc.snapshot as never });
    const live = this.track(doc, actor);
    const ctx = this.context(live);
    this.deps.logger.info({ executionId: doc.id, tasks: Object.keys(ctx.tasks).length }, 'resuming execution');
    live.historyWrite = this.appendHistory(live, ctx);
    for (const [key, t] of Object.entries(ctx.timers)) this.arm(live, key, t.at);
    for (const [activationId, task] of Object.entries(ctx.tasks)) {
      this.taskOwner.set(activationId, doc.id);
      live.chain = live.chain.then(() => this.recoverTask(live, activationId, task));
    }
  }

  /** A pending task after a restart: apply its record if it exists, else publish it again (same id: no dupes). */
  private async recoverTask(live: Live, activationId: string, task: PendingTask): Promise<void> {
    const record = await this.deps.activations.get(live.doc.namespace, activationId).catch(() => undefined);
    if (record) return void this.onRecord(record);
    if (!this.live.has(activationId)) await this.dispatch(live, activationId, task);
  }

  private apply(live: Live, event: ExecEvent): Promise<void> {
    live.chain = live.chain.then(async () => {
      if (!this.live.has(live.doc.id)) return;
      live.actor.send(event);
      await this.afterTransition(live, this.context(live));
    });
    live.chain = live.chain.catch((err: unknown) =>
      this.deps.logger.error({ err: String(err), executionId: live.doc.id }, 'composition transition failed'),
    );
    return live.chain;
  }

  /**
   * Snapshot first, then effects; the transition's history entries travel inside the snapshot (the outbox) and are
   * appended to the log in the background, overlapping the step's run — the next save waits for them, and a
   * resumed execution appends its snapshot's outbox again (idempotent by seq). So one store write sits on a step's
   * critical path, and no history entry is lost to a crash.
   */
  private async afterTransition(live: Live, ctx: ExecContext, initial = false): Promise<void> {
    await live.historyWrite;
    if (ctx.status !== 'running') return this.finish(live, ctx);
    // The initial snapshot was stored by `create`.
    if (!initial) await this.deps.executions.save(live.doc.id, { status: ctx.status, snapshot: live.actor.getPersistedSnapshot() });
    live.historyWrite = this.appendHistory(live, ctx);
    for (const effect of ctx.outbox) {
      if (effect.type === 'timer') this.arm(live, effect.key, effect.at);
      if (effect.type === 'dispatch') {
        this.taskOwner.set(effect.activationId, live.doc.id);
        void this.dispatch(live, effect.activationId, effect.task);
      }
    }
    this.maybePark(live, ctx);
  }

  /** Drops an idle execution from memory until its next timer (its snapshot is already stored). */
  private maybePark(live: Live, ctx: ExecContext): void {
    if (this.stopped || live.waiters.size > 0 || Object.keys(ctx.tasks).length > 0) return;
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
    if (doc?.status === 'running' && !this.live.has(id) && !this.stopped) this.resume(doc);
  }

  /** Appends the outbox's history entries, retrying a few times; never rejects (a gap is logged). */
  private async appendHistory(live: Live, ctx: ExecContext): Promise<void> {
    const entries = ctx.outbox.flatMap((e) => (e.type === 'history' ? [e.entry as unknown as HistoryRecord] : []));
    if (entries.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.executions.appendHistory(live.doc.id, entries);
      } catch (err) {
        if (attempt >= 5) {
          this.deps.logger.error({ err: String(err), executionId: live.doc.id }, 'execution history entries lost');
          return;
        }
        await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, 100 * attempt));
      }
    }
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

  private async dispatch(live: Live, activationId: string, task: PendingTask): Promise<void> {
    live.dispatchedAt.set(activationId, this.deps.clock.now());
    const { doc } = live;
    try {
      const step = await this.steps.resolve(doc, activationId, task);
      if (step.kind === 'failed') return this.complete(activationId, { ok: false, error: step.error });
      if (step.kind === 'activation') return await this.deps.queue.publish(step.msg);
      // A child execution's id is the task's activation id: its record completes the task like any activation.
      if (this.live.has(activationId) || this.parked.has(activationId) || (await this.deps.executions.get(activationId))) return;
      const identity = { namespace: doc.namespace, subject: doc.subject, uuid: '' };
      await this.startExecution({
        identity,
        ...step.child,
        input: task.input,
        blocking: false,
        waitMs: 0,
        executionId: activationId,
        cause: doc.id,
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
   * An execution ended: its history, then its activation record, then the terminal status. In that order a crash
   * leaves it `running`; the resumed engine replays the last event and writes the same record (kept once).
   */
  private async finish(live: Live, ctx: ExecContext): Promise<void> {
    const end = this.deps.clock.now();
    await this.appendHistory(live, ctx);
    const done = {
      ...live.doc,
      status: ctx.status,
      end,
      ...(ctx.result !== undefined ? { result: ctx.result } : {}),
      ...(ctx.error !== undefined ? { error: ctx.error } : {}),
    };
    const history = await this.deps.executions.history(done.id, { afterSeq: 0, limit: Number.MAX_SAFE_INTEGER });
    const record = executionRecord(done, history, end);
    await this.deps.activations.putBatch([record]);
    const { status, result, error } = done;
    await this.deps.executions.save(done.id, {
      status,
      snapshot: live.actor.getPersistedSnapshot(),
      end,
      ...(result !== undefined ? { result } : {}),
      ...(error !== undefined ? { error } : {}),
    });
    for (const t of live.timers.values()) t.cancel();
    live.timers.clear();
    this.live.delete(live.doc.id);
    live.actor.stop();
    for (const w of live.waiters) w(record);
    this.onRecord(record); // a child execution completes its parent's task
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
