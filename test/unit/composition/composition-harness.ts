import { MemoryActivationQueue } from '../../../src/adapters/queue/memory/memory-activation-queue.js';
import { MemoryExecutionStore } from '../../../src/adapters/store/memory/memory-execution-store.js';
import { MemoryActivationStore, MemoryEntityStore } from '../../../src/adapters/store/memory/index.js';
import type { Action } from '../../../src/domain/action.js';
import { type ActivationRecord, makeResponse } from '../../../src/domain/activation.js';
import { completionOf, type ActivationMessage } from '../../../src/domain/activation-message.js';
import type { CompositionDefinition } from '../../../src/domain/composition.js';
import { CompositionEngine } from '../../../src/engine/composition/engine.js';
import type { ExecutionLimits } from '../../../src/engine/composition/limits.js';
import type { Consumer } from '../../../src/ports/activation-queue.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { ExecutionStore } from '../../../src/ports/execution-store.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { eventually } from '../../helpers/whirl.js';

/** A JS function standing in for an action: returns the result, or throws `{statusCode, error}` to fail. */
export type Fn = (params: any, msg: ActivationMessage) => unknown | Promise<unknown>;

export const identity = { namespace: 'guest', subject: 'guest', uuid: 'u' };

/**
 * The composition engine on in-memory adapters with a fake invoker: a queue consumer that runs JS functions
 * registered as actions, stores each record, then publishes the completion (as the real invoker does).
 */
export async function startHarness(
  opts: {
    clock?: Clock;
    executions?: ExecutionStore;
    pollMs?: number;
    saveDelayMs?: number;
    limits?: Partial<ExecutionLimits>;
  } = {},
) {
  const queue = new MemoryActivationQueue({ logger: silentLogger });
  const activations = new MemoryActivationStore();
  const entities = new MemoryEntityStore();
  const executions = opts.executions ?? new MemoryExecutionStore();
  const fns = new Map<string, Fn>();
  const runs: ActivationMessage[] = [];
  const clock = opts.clock ?? {
    now: () => Date.now(),
    setTimeout(fn: () => void, ms: number) {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    },
  };
  let consumer: Consumer | undefined;
  const startConsumer = async () => {
    consumer = await queue.consume(
      async (msg) => {
        runs.push(msg);
        const fn = fns.get(msg.action.name);
        const start = clock.now();
        let statusCode: 0 | 1 | 2 = 0;
        let result: unknown;
        try {
          result = await fn!(msg.params, msg);
        } catch (e: any) {
          statusCode = e?.statusCode ?? 1;
          result = { error: e?.error ?? String(e) };
        }
        const record: ActivationRecord = {
          namespace: msg.namespace,
          name: msg.action.name,
          version: msg.action.version,
          subject: msg.subject,
          activationId: msg.activationId,
          start,
          end: clock.now(),
          duration: 5,
          response: makeResponse(statusCode, result),
          logs: [],
          annotations: [{ key: 'path', value: `guest/${msg.action.name}` }, ...(msg.recordAnnotations ?? [])],
          ...(msg.cause ? { cause: msg.cause } : {}),
          publish: false,
        };
        await activations.putBatch([record]);
        if (msg.replyTo) await queue.publishCompletion(msg.replyTo, completionOf(msg, record));
      },
      { invokerId: 'fake', concurrency: 64 },
    );
  };
  await startConsumer();
  const newEngine = () =>
    new CompositionEngine({
      queue,
      activations,
      executions,
      entities,
      clock,
      logger: silentLogger,
      instanceId: `engine-${Math.random().toString(16).slice(2)}`,
      pollMs: opts.pollMs ?? 200,
      ...(opts.saveDelayMs !== undefined ? { saveDelayMs: opts.saveDelayMs } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
    });
  let engine = newEngine();
  await engine.start();

  const h = {
    queue,
    activations,
    entities,
    executions,
    runs,
    clock,
    get engine() {
      return engine;
    },
    async action(name: string, fn: Fn, exec?: Action['exec']) {
      fns.set(name, fn);
      const action: Action = {
        namespace: 'guest',
        name,
        version: '0.0.1',
        publish: false,
        exec: exec ?? { kind: 'nodejs:20', code: '//', binary: false },
        parameters: [],
        annotations: [],
        limits: { timeout: 60000, memory: 256, logs: 10, concurrency: 1 },
        updated: 0,
      };
      await entities.put('actions', action);
    },
    async sequence(name: string, components: string[]) {
      await h.action(name, () => ({}), { kind: 'sequence', components });
    },
    async run(definition: CompositionDefinition, input: unknown = {}, historyLimit = 100_000) {
      const out = await engine.startExecution({
        identity,
        kind: 'composition',
        name: 'c',
        version: '0.0.1',
        definition,
        input,
        blocking: true,
        waitMs: 20_000,
      });
      await engine.settled(out.activationId); // the caller hears before the terminal writes
      // A long execution outlasts the blocking wait: wait for its end (a busy machine is slow, not wrong).
      await eventually(async () => ((await executions.get(out.activationId))?.status === 'running' ? undefined : true), 600_000);
      await engine.settled(out.activationId);
      const history = await executions.history(out.activationId, { afterSeq: 0, limit: historyLimit });
      return { ...out, history, doc: await executions.get(out.activationId) };
    },
    /** Simulates a crash: drops the engine without stopping anything cleanly, and starts a new one. */
    async restartEngine() {
      await engine.stop();
      engine = newEngine();
      await engine.start();
    },
    async pauseInvoker() {
      await consumer?.close();
    },
    resumeInvoker: startConsumer,
    async stop() {
      await engine.stop();
      await consumer?.close();
      await queue.close();
    },
  };
  return h;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
