import { createHash } from 'node:crypto';
import {
  type CompositionDefinition,
  type CompositionNode,
  type ExecutionStatus,
  type StepError,
  nodeAt,
} from '../../domain/composition.js';
import type { HistoryEntry } from './history.js';
import type { ExecContext, ExecEvent, Frame, FrameState, Outcome, PendingTask, PendingTimer, Work } from './exec-context.js';
import { DEFAULT_LIMITS, type ExecutionLimits, jsonBytes } from './limits.js';
import { evaluate, truthy } from './logic.js';
import { retryDelay, shouldRetry } from './retry-policy.js';

/**
 * The composition interpreter: a pure reducer from (context, event) to the next context plus the effects the
 * engine must perform (dispatch a task, arm a timer, append history). The xstate machine (machine.ts) holds the
 * context; the engine (engine.ts) performs effects. Deterministic given its events (time and randomness arrive in
 * events), so a replayed event after a crash produces the same activation ids and history sequence numbers.
 *
 * The context holds only what is in progress (active frames, pending tasks and timers, variables): finished frames
 * are dropped, so the snapshot stays flat however long an execution runs; what happened lives in the history log.
 *
 * No method calls back into the tree walk: entering and finishing nodes go through the context's work stack
 * (exec-context.ts `Work`), performed in a loop, so the JavaScript stack stays a few frames deep whatever the
 * definition does, and after `limits.stepsPerTransition` items the transition yields (a `continue` effect).
 * The stack is last-in first-out and every push is the last thing its caller does, so steps run in the order a
 * recursive walk would run them.
 */
/** Activation id of a task: deterministic from the execution and the idempotency key (32 hex, like any id). */
export function taskActivationId(executionId: string, idempotencyKey: string): string {
  return createHash('sha256').update(`${executionId}|${idempotencyKey}`).digest('hex').slice(0, 32);
}

export function initialContext(
  def: CompositionDefinition,
  executionId: string,
  input: unknown,
  now: number,
  limits: ExecutionLimits = DEFAULT_LIMITS,
): ExecContext {
  const ctx: ExecContext = {
    executionId,
    status: 'running',
    vars: structuredClone(def.vars ?? {}),
    frames: {},
    tasks: {},
    timers: {},
    nextFrame: 1,
    historySeq: 0,
    work: [],
    outbox: [],
  };
  const r = new Run(def, ctx, now, 0.5, limits);
  r.history({ type: 'ExecutionStarted' });
  if (jsonBytes(input) > limits.maxResultBytes) {
    r.end({ ok: false, error: dataLimit('the execution input', limits.maxResultBytes) }, 'failed');
    return ctx;
  }
  if (def.timeoutMs !== undefined) r.armTimer('deadline', { kind: 'deadline', at: now + def.timeoutMs });
  r.enter('/root', input, undefined, 0);
  r.finishTransition();
  return ctx;
}

/** Error name of a result, an input or a state over its size limit: it ends the execution (not catchable). */
export const DATA_LIMIT_EXCEEDED = 'DataLimitExceeded';

function dataLimit(what: string, max: number): StepError {
  return { name: DATA_LIMIT_EXCEEDED, cause: `${what} is larger than ${max} bytes` };
}

/** Applies one event; returns a new context (the input is not mutated). Unknown tasks/timers are ignored (dupes). */
export function reduce(
  def: CompositionDefinition,
  prev: ExecContext,
  event: ExecEvent,
  limits: ExecutionLimits = DEFAULT_LIMITS,
): ExecContext {
  const ctx: ExecContext = { ...structuredClone({ ...prev, outbox: [] }), outbox: [] };
  ctx.work ??= []; // a context stored before the work stack existed
  if (ctx.status !== 'running') return ctx;
  ctx.transitions = (prev.transitions ?? 0) + 1;
  const r = new Run(def, ctx, event.now, 'rand' in event ? event.rand : 0.5, limits);
  apply(r, ctx, event, limits);
  r.finishTransition();
  return ctx;
}

function apply(r: Run, ctx: ExecContext, event: ExecEvent, limits: ExecutionLimits): void {
  switch (event.type) {
    case 'task.completed': {
      const task = ctx.tasks[event.activationId];
      if (!task) return;
      delete ctx.tasks[event.activationId];
      const bytes = event.outcome.ok ? jsonBytes(event.outcome.value) : 0;
      const outcome =
        bytes > limits.maxResultBytes
          ? { ok: false as const, error: dataLimit(`the result of ${task.path}`, limits.maxResultBytes) }
          : event.outcome;
      r.countProduced(bytes);
      r.history({
        type: 'TaskCompleted',
        path: task.path,
        activationId: event.activationId,
        attempt: task.attempt,
        ...(outcome.ok ? { result: outcome.value } : { error: outcome.error }),
        ...(event.duration !== undefined ? { duration: event.duration } : {}),
      });
      return r.complete(task.frame, outcome);
    }
    case 'timer.fired':
      return r.fire(event.key);
    case 'cancel':
      return r.end({ ok: false, error: { name: 'Cancelled' } }, 'cancelled');
    case 'continue':
      return; // the work left by the previous transition runs in `finishTransition`
  }
}

/** One transition's worth of work on a (mutable, already copied) context. */
class Run {
  constructor(
    private readonly def: CompositionDefinition,
    private readonly ctx: ExecContext,
    private readonly now: number,
    private readonly rand: number,
    private readonly limits: ExecutionLimits,
  ) {}

  /**
   * Performs queued work up to the transition's budget (leaving a `continue` effect if some is left), then checks
   * the state's size: an execution whose state outgrew its limit fails rather than grow the store. The budget grows
   * with the state (one item per 64 bytes of it), so copying and measuring the state — once per transition — stays
   * a constant share of the work however large the state is.
   */
  finishTransition(): void {
    let budget = Math.max(this.limits.stepsPerTransition, Math.floor((this.ctx.stateBytes ?? 0) / 64));
    const work = this.ctx.work;
    while (this.ctx.status === 'running' && work.length > 0) {
      if (budget-- <= 0) {
        this.ctx.outbox.push({ type: 'continue' });
        return this.checkState(); // the next slice's budget follows the state's size
      }
      this.perform(work.pop()!);
    }
    if (this.ctx.status === 'running' && (this.ctx.stateBytes ?? 0) + (this.ctx.unmeasured ?? 0) > this.limits.maxStateBytes) {
      this.checkState();
    }
  }

  /**
   * Counts the bytes of a value produced (a task result, a json-logic value): the state cannot have grown by more
   * since it was last measured, so it is measured again only once it could be over its limit — at most once per
   * limit's worth of produced bytes.
   */
  countProduced(bytes: number): void {
    this.ctx.unmeasured = (this.ctx.unmeasured ?? 0) + bytes;
    if (this.ctx.unmeasured > this.limits.maxStateBytes) this.checkState();
  }

  private checkState(): void {
    const { vars, frames, tasks, timers, work } = this.ctx;
    this.ctx.unmeasured = 0;
    this.ctx.stateBytes = jsonBytes({ vars, frames, tasks, timers, work });
    if (this.ctx.stateBytes > this.limits.maxStateBytes) {
      this.end({ ok: false, error: dataLimit('the execution state', this.limits.maxStateBytes) }, 'failed');
    }
  }

  private push(item: Work): void {
    this.ctx.work.push(item);
  }

  /** Is this frame still in the attempt an item was queued for? (A retry or a timeout ended older attempts.) */
  private current(id: number, attempt: number): Frame | undefined {
    const f = this.ctx.frames[id];
    return f && f.attempt === attempt && f.st.k !== 'retrying' ? f : undefined;
  }

  private perform(item: Work): void {
    switch (item.w) {
      case 'enter':
        if (item.parent !== undefined && !this.current(item.parent, item.attempt)) return;
        return this.doEnter(item.path, item.received, item.parent, item.slot);
      case 'complete':
        if (!this.current(item.frame, item.attempt)) return;
        return this.doComplete(item.frame, item.outcome);
      case 'launch': {
        const f = this.current(item.frame, item.attempt);
        if (f?.st.k === 'map') f.st.queued = false;
        if (f) this.launchOne(f);
        return;
      }
    }
  }

  history(e: Omit<HistoryEntry, 'seq' | 'at'>): void {
    this.ctx.outbox.push({ type: 'history', entry: { seq: ++this.ctx.historySeq, at: this.now, ...e } });
  }

  armTimer(key: string, t: PendingTimer): void {
    this.ctx.timers[key] = t;
    this.ctx.outbox.push({ type: 'timer', key, at: t.at });
  }

  private node(f: Frame): CompositionNode {
    const n = nodeAt(this.def, f.path);
    if (!n) throw new Error(`composition has no node at ${f.path}`);
    return n;
  }

  private scope(input: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { input, vars: this.ctx.vars, ...extra };
  }

  /**
   * Evaluates json-logic; a throwing expression becomes the step error `TransformError`, a value larger than a
   * result may be `DataLimitExceeded` (an expression can double its input at every step of a loop).
   */
  private eval(logic: unknown, data: Record<string, unknown>): Outcome {
    try {
      const value = evaluate(logic, data);
      const bytes = typeof value === 'object' || typeof value === 'string' ? jsonBytes(value) : 8;
      if (bytes > this.limits.maxResultBytes) return { ok: false, error: dataLimit('a json-logic value', this.limits.maxResultBytes) };
      this.countProduced(bytes);
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: { name: 'TransformError', cause: err instanceof Error ? err.message : String(err) } };
    }
  }

  /** Queues entering the node at `path` (under `parent`'s current attempt). */
  enter(path: string, received: unknown, parent: number | undefined, slot: number): void {
    const attempt = parent === undefined ? 0 : this.ctx.frames[parent]!.attempt;
    this.push({ w: 'enter', path, received, attempt, slot, ...(parent !== undefined ? { parent } : {}) });
  }

  private doEnter(path: string, received: unknown, parent: number | undefined, slot: number): void {
    const f: Frame = { id: this.ctx.nextFrame++, slot, path, arg: received, attempt: 1, st: { k: 'leaf' } };
    if (parent !== undefined) f.parent = parent;
    this.ctx.frames[f.id] = f;
    const node = this.node(f);
    this.history({ type: 'StepStarted', path });
    if (node.input !== undefined) {
      const sel = this.eval(node.input, this.scope(received));
      if (!sel.ok) return this.complete(f.id, sel);
      f.arg = sel.value;
    }
    this.start(f);
  }

  /** Runs the node's body (again, on a retry). */
  private start(f: Frame): void {
    const node = this.node(f);
    f.st = { k: 'leaf' };
    if (node.timeoutMs !== undefined) {
      this.armTimer(`to:${f.id}:${f.attempt}`, { kind: 'timeout', at: this.now + node.timeoutMs, frame: f.id, attempt: f.attempt });
    }
    const arg = f.arg;
    switch (node.type) {
      case 'task': {
        const idempotencyKey = `${this.ctx.executionId}:${f.path}:${f.id}:${f.attempt}`;
        const activationId = taskActivationId(this.ctx.executionId, idempotencyKey);
        let target: PendingTask['target'];
        if (node.actionFrom !== undefined) {
          const named = this.eval(node.actionFrom, this.scope(arg));
          if (!named.ok) return this.complete(f.id, named);
          target = { dynamic: named.value ?? null };
        } else target = node.action !== undefined ? { action: node.action } : { composition: node.composition! };
        const task: PendingTask = { frame: f.id, path: f.path, target, idempotencyKey, attempt: f.attempt, input: arg };
        this.ctx.tasks[activationId] = task;
        this.history({ type: 'TaskDispatched', path: f.path, activationId, attempt: f.attempt });
        this.ctx.outbox.push({ type: 'dispatch', activationId, task });
        return;
      }
      case 'sequence':
        f.st = { k: 'seq', i: 0 };
        if (node.steps.length === 0) return this.complete(f.id, { ok: true, value: arg });
        return this.enter(`${f.path}/steps/0`, arg, f.id, 0);
      case 'choice': {
        for (const [i, b] of node.branches.entries()) {
          const c = this.eval(b.when, this.scope(arg));
          if (!c.ok) return this.complete(f.id, c);
          if (truthy(c.value)) return this.enter(`${f.path}/branches/${i}/do`, arg, f.id, 0);
        }
        if (node.otherwise) return this.enter(`${f.path}/otherwise`, arg, f.id, 0);
        return this.complete(f.id, { ok: true, value: arg });
      }
      case 'parallel':
        f.st = { k: 'par', results: [], pending: node.branches.length };
        if (node.branches.length === 0) return this.complete(f.id, { ok: true, value: [] });
        // Last pushed runs first: branch 0 first, each entered only if the parallel is still running by then.
        for (let i = node.branches.length - 1; i >= 0; i--) this.enter(`${f.path}/branches/${i}`, arg, f.id, i);
        return;
      case 'map': {
        const items = node.items === undefined ? { ok: true as const, value: arg } : this.eval(node.items, this.scope(arg));
        if (!items.ok) return this.complete(f.id, items);
        if (!Array.isArray(items.value)) {
          return this.complete(f.id, { ok: false, error: { name: 'InvalidInput', cause: 'map items must be an array' } });
        }
        if (items.value.length > this.limits.maxMapItems) {
          const cause = `${items.value.length} items, more than the limit of ${this.limits.maxMapItems}`;
          return this.complete(f.id, { ok: false, error: { name: 'MapLimitExceeded', cause } });
        }
        f.st = { k: 'map', items: items.value, next: 0, running: 0, results: [] };
        if (items.value.length === 0) return this.complete(f.id, { ok: true, value: [] });
        return this.launchMap(f);
      }
      case 'repeat':
        if (node.times > this.limits.maxIterations) {
          const cause = `times ${node.times} is more than the limit of ${this.limits.maxIterations}`;
          return this.complete(f.id, { ok: false, error: { name: 'LoopLimitExceeded', cause } });
        }
      // falls through
      case 'while':
      case 'doWhile':
        f.st = { k: 'loop', n: 0 };
        return this.loop(f, arg, node.type === 'doWhile');
      case 'try':
        f.st = { k: 'try', phase: 'do' };
        return this.enter(`${f.path}/do`, arg, f.id, 0);
      case 'wait': {
        const at = node.ms !== undefined ? this.now + node.ms : this.untilTime(node.until, arg);
        if (typeof at !== 'number') return this.complete(f.id, at);
        this.history({ type: 'WaitStarted', path: f.path, resumeAt: at });
        return this.armTimer(`w:${f.id}:${f.attempt}`, { kind: 'wait', at, frame: f.id, attempt: f.attempt });
      }
      case 'pass':
        return this.complete(f.id, node.value === undefined ? { ok: true, value: arg } : this.eval(node.value, this.scope(arg)));
      case 'set': {
        for (const [name, logic] of Object.entries(node.vars)) {
          const v = this.eval(logic, this.scope(arg));
          if (!v.ok) return this.complete(f.id, v);
          this.ctx.vars[name] = v.value;
        }
        return this.complete(f.id, { ok: true, value: arg });
      }
      case 'succeed': {
        const v = node.value === undefined ? { ok: true as const, value: arg } : this.eval(node.value, this.scope(arg));
        this.history({ type: v.ok ? 'StepSucceeded' : 'StepFailed', path: f.path });
        return this.end(v, v.ok ? 'succeeded' : 'failed');
      }
      case 'fail': {
        const cause = node.cause === undefined ? undefined : this.eval(node.cause, this.scope(arg));
        const error: StepError = { name: node.error };
        if (cause?.ok) error.cause = cause.value;
        return this.complete(f.id, { ok: false, error });
      }
    }
  }

  private untilTime(until: unknown, arg: unknown): number | Outcome {
    const v = this.eval(until, this.scope(arg, { now: this.now }));
    if (!v.ok) return v;
    const at = typeof v.value === 'number' ? v.value : typeof v.value === 'string' ? Date.parse(v.value) : NaN;
    return Number.isFinite(at) ? at : { ok: false, error: { name: 'InvalidInput', cause: 'wait.until is not a time' } };
  }

  /** Queues launching the map's next items (once: a launch already waiting will see the latest counts). */
  private launchMap(f: Frame): void {
    const st = f.st;
    if (st.k !== 'map' || st.queued) return;
    st.queued = true;
    this.push({ w: 'launch', frame: f.id, attempt: f.attempt });
  }

  /** Launches one item if the concurrency allows, queuing the launch of the next one to run after it. */
  private launchOne(f: Frame): void {
    const node = this.node(f);
    const st = f.st;
    if (st.k !== 'map' || node.type !== 'map') return;
    if (st.running >= (node.concurrency ?? 10) || st.next >= st.items.length) return;
    const i = st.next++;
    st.running++;
    this.launchMap(f);
    this.enter(`${f.path}/do`, st.items[i], f.id, i);
  }

  /** Starts the next loop iteration on `cur`, or completes the loop. `force` skips the condition (do-while). */
  private loop(f: Frame, cur: unknown, force: boolean): void {
    const node = this.node(f);
    const st = f.st;
    if (st.k !== 'loop') return;
    let go: boolean;
    let max: number;
    if (node.type === 'repeat') {
      go = st.n < node.times;
      max = node.times;
    } else if (node.type === 'while' || node.type === 'doWhile') {
      max = Math.min(node.maxIterations, this.limits.maxIterations);
      if (force) go = true;
      else {
        const c = this.eval(node.condition, this.scope(cur));
        if (!c.ok) return this.complete(f.id, c);
        go = truthy(c.value);
      }
    } else return;
    if (!go) return this.complete(f.id, { ok: true, value: cur });
    if (st.n >= max) {
      return this.complete(f.id, { ok: false, error: { name: 'LoopLimitExceeded', cause: `more than ${max} iterations` } });
    }
    st.n++;
    this.enter(`${f.path}/do`, cur, f.id, st.n - 1);
  }

  /** Queues finishing a frame (in its current attempt). */
  complete(frameId: number, outcome: Outcome): void {
    const f = this.ctx.frames[frameId];
    if (f) this.push({ w: 'complete', frame: frameId, attempt: f.attempt, outcome });
  }

  /** A frame finished (or failed): retry it, or drop it and report to its parent (or end the execution). */
  private doComplete(frameId: number, outcome: Outcome): void {
    const f = this.ctx.frames[frameId];
    if (!f || this.ctx.status !== 'running') return;
    const node = this.node(f);
    if (!outcome.ok && outcome.error.name === DATA_LIMIT_EXCEEDED) {
      this.history({ type: 'StepFailed', path: f.path, error: outcome.error });
      return this.end(outcome, 'failed');
    }
    if (!outcome.ok && node.retry && shouldRetry(node.retry, f.attempt, outcome.error)) {
      this.dropChildren(f.id);
      this.clearTimers(f.id);
      const at = this.now + retryDelay(node.retry, f.attempt, this.rand);
      this.history({ type: 'RetryScheduled', path: f.path, attempt: f.attempt, error: outcome.error, resumeAt: at });
      f.attempt++;
      f.st = { k: 'retrying' };
      return this.armTimer(`rt:${f.id}:${f.attempt}`, { kind: 'retry', at, frame: f.id, attempt: f.attempt });
    }
    this.dropChildren(f.id);
    this.clearTimers(f.id);
    delete this.ctx.frames[f.id];
    let out = outcome;
    if (out.ok && node.result !== undefined) out = this.eval(node.result, this.scope(f.arg, { result: out.value }));
    if (out.ok && node.output !== undefined) out = this.eval(node.output, this.scope(out.value));
    if (!out.ok && out.error.name === DATA_LIMIT_EXCEEDED) {
      this.history({ type: 'StepFailed', path: f.path, error: out.error });
      return this.end(out, 'failed');
    }
    this.history(
      out.ok
        ? { type: 'StepSucceeded', path: f.path, result: out.value }
        : { type: 'StepFailed', path: f.path, error: out.error },
    );
    if (f.parent === undefined) return this.end(out, out.ok ? 'succeeded' : 'failed');
    const parent = this.ctx.frames[f.parent];
    if (parent) this.childDone(parent, f.slot, out);
  }

  private childDone(p: Frame, slot: number, out: Outcome): void {
    const node = this.node(p);
    const st = p.st;
    switch (st.k) {
      case 'seq': {
        if (!out.ok || node.type !== 'sequence') return this.complete(p.id, out);
        st.i++;
        if (st.i >= node.steps.length) return this.complete(p.id, out);
        return this.enter(`${p.path}/steps/${st.i}`, out.value, p.id, st.i);
      }
      case 'par':
        if (!out.ok) return this.complete(p.id, out);
        st.results[slot] = out.value;
        if (--st.pending === 0) this.complete(p.id, { ok: true, value: st.results });
        return;
      case 'map':
        if (!out.ok || node.type !== 'map') return this.complete(p.id, out);
        st.results[slot] = out.value;
        st.running--;
        if (st.next >= st.items.length && st.running === 0) return this.complete(p.id, { ok: true, value: st.results });
        return this.launchMap(p);
      case 'loop':
        if (!out.ok) return this.complete(p.id, out);
        return this.loop(p, out.value, false);
      case 'try':
        return this.tryStep(p, st, out);
      default:
        return this.complete(p.id, out);
    }
  }

  private tryStep(p: Frame, st: Extract<FrameState, { k: 'try' }>, out: Outcome): void {
    const node = this.node(p);
    if (node.type !== 'try') return this.complete(p.id, out);
    if (st.phase === 'finally') return this.complete(p.id, out.ok ? st.saved ?? out : out);
    if (st.phase === 'do' && !out.ok) {
      const i = (node.catch ?? []).findIndex(
        (c) => !c.errors || c.errors.includes(out.error.name) || c.errors.includes('*'),
      );
      if (i >= 0 && out.error.name !== 'Cancelled') {
        st.phase = 'catch';
        return this.enter(`${p.path}/catch/${i}/do`, { error: out.error, input: p.arg }, p.id, 0);
      }
    }
    if (!node.finally) return this.complete(p.id, out);
    st.phase = 'finally';
    st.saved = out;
    this.enter(`${p.path}/finally`, out.ok ? out.value : p.arg, p.id, 0);
  }

  fire(key: string): void {
    const t = this.ctx.timers[key];
    if (!t) return;
    delete this.ctx.timers[key];
    if (t.kind === 'deadline') return this.end({ ok: false, error: { name: 'Timeout', cause: 'execution timeout' } }, 'failed');
    const f = t.frame === undefined ? undefined : this.ctx.frames[t.frame];
    if (!f || f.attempt !== t.attempt) return;
    if (t.kind === 'wait') return this.complete(f.id, { ok: true, value: f.arg });
    if (t.kind === 'retry') return this.start(f);
    // timeout: abandon what the attempt is doing (late completions are then ignored), fail the node.
    this.dropChildren(f.id);
    for (const [id, task] of Object.entries(this.ctx.tasks)) if (task.frame === f.id) delete this.ctx.tasks[id];
    this.complete(f.id, { ok: false, error: { name: 'Timeout', cause: `step did not finish within its timeout` } });
  }

  /** Removes every descendant of `id` with their pending tasks and timers. */
  private dropChildren(id: number): void {
    const frames = this.ctx.frames;
    const doomed = new Set<number>();
    const isBelow = (f: Frame): boolean => {
      for (let p = f.parent; p !== undefined; p = frames[p]?.parent) {
        if (p === id || doomed.has(p)) return true;
      }
      return false;
    };
    for (const f of Object.values(frames)) if (isBelow(f)) doomed.add(f.id);
    if (doomed.size === 0) return;
    for (const d of doomed) {
      delete frames[d];
      this.clearTimers(d);
    }
    for (const [aid, task] of Object.entries(this.ctx.tasks)) if (doomed.has(task.frame)) delete this.ctx.tasks[aid];
  }

  private clearTimers(frameId: number): void {
    for (const [key, t] of Object.entries(this.ctx.timers)) if (t.frame === frameId) delete this.ctx.timers[key];
  }

  end(out: Outcome, status: Exclude<ExecutionStatus, 'running'>): void {
    this.ctx.status = status;
    if (out.ok) this.ctx.result = out.value;
    else this.ctx.error = out.error;
    this.ctx.frames = {};
    this.ctx.tasks = {};
    this.ctx.timers = {};
    this.ctx.work = [];
    const type = status === 'succeeded' ? 'ExecutionSucceeded' : status === 'cancelled' ? 'ExecutionCancelled' : 'ExecutionFailed';
    this.history(out.ok ? { type, result: out.value } : { type, error: out.error });
  }
}
