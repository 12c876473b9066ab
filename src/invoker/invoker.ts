import { StatusCode, type ActivationRecord } from '../domain/activation.js';
import { completionOf, type ActivationMessage } from '../domain/activation-message.js';
import { isBlackbox, resolveKind, type RuntimeManifest } from '../domain/exec.js';
import type { SystemLimits } from '../domain/limits.js';
import { isWhirlError } from '../errors/whirl-error.js';
import type { ActivationQueue, Consumer, Delivery } from '../ports/activation-queue.js';
import type { Clock } from '../ports/clock.js';
import type { ContainerFactory, ContainerSpec } from '../ports/container-factory.js';
import type { InvokerRegistry } from '../ports/invoker-registry.js';
import type { Logger } from '../ports/logger.js';
import type { RecordSink } from '../ports/record-sink.js';
import { collectActivationLogs, runActivation, type RunResult } from './activation-runner.js';
import { ContainerPool, type Lease } from './container-pool.js';
import { poolKey } from './pool-entry.js';
import { InvokerPresence } from './presence.js';
import type { PrewarmConfig } from './prewarm.js';
import { failureRecord } from './record-builder.js';
import { Messages } from './run-outcome.js';

export interface InvokerOptions {
  id: string;
  concurrency: number;
  memoryMB: number;
  idleContainerMs: number;
  /** Container network when an action does not turn it off. */
  network: string;
  apiHost: string;
  runtimes: RuntimeManifest[];
  limits: SystemLimits;
  /** Stem cells to keep ready, by kind and memory (kinds resolve through `runtimes`). */
  prewarm?: Array<{ kind: string; memoryMB: number; count: number }>;
  /** Idle containers are paused after this long (ms); undefined: never. */
  pauseGraceMs?: number;
  /** Heartbeat period and silence after which a peer is dead (ms); used with a registry. */
  heartbeatMs?: number;
  deadMs?: number;
}

/**
 * The consumer loop: takes activations from the queue, runs them in pooled containers and makes sure each one
 * ends with exactly one record. A delivery is finished (and so acknowledged to the queue) only once its record is
 * durably stored; the blocking caller hears the result earlier, as soon as it is known.
 */
export class Invoker {
  private consumer: Consumer | undefined;
  readonly pool: ContainerPool;
  /** Heartbeats and adoption of dead peers; absent without a registry. */
  readonly presence: InvokerPresence | undefined;

  constructor(
    private readonly deps: {
      queue: ActivationQueue;
      factory: ContainerFactory;
      records: RecordSink;
      clock: Clock;
      logger: Logger;
      options: InvokerOptions;
      registry?: InvokerRegistry;
      /** Whether the host's CPUs are saturated now (container-pool.ts). */
      host?: { busy: () => boolean };
    },
  ) {
    const o = deps.options;
    this.pool = new ContainerPool({
      factory: deps.factory,
      clock: deps.clock,
      logger: deps.logger,
      budgetMB: o.memoryMB,
      idleMs: o.idleContainerMs,
      namePrefix: containerPrefix(o.id),
      prewarm: prewarmConfigs(o),
      stemEnv: { __OW_API_HOST: o.apiHost },
      ...(deps.host ? { hostBusy: deps.host.busy } : {}),
      ...(o.pauseGraceMs !== undefined ? { pauseGraceMs: o.pauseGraceMs } : {}),
    });
    this.presence = deps.registry
      ? new InvokerPresence({
          id: o.id,
          registry: deps.registry,
          queue: deps.queue,
          handler: (msg, delivery) => this.handle(msg, delivery),
          clock: deps.clock,
          logger: deps.logger,
          memoryMB: o.memoryMB,
          freeMB: () => this.pool.freeMB(),
          heartbeatMs: o.heartbeatMs ?? 1000,
          deadMs: o.deadMs ?? 5000,
          adoptConcurrency: Math.max(1, Math.min(o.concurrency, 16)),
        })
      : undefined;
  }

  async start(): Promise<void> {
    await this.deps.factory.cleanup(containerPrefix(this.deps.options.id));
    this.pool.start();
    await this.presence?.start();
    this.consumer = await this.deps.queue.consume((msg, delivery) => this.handle(msg, delivery), {
      invokerId: this.deps.options.id,
      concurrency: this.deps.options.concurrency,
    });
  }

  /** Stops taking work, finishes what is in flight, stores every record, removes the containers. */
  async stop(): Promise<void> {
    await this.presence?.stop();
    await this.consumer?.close();
    this.consumer = undefined;
    await this.pool.shutdown();
  }

  async handle(msg: ActivationMessage, delivery: Delivery): Promise<void> {
    if (delivery.redelivered) {
      // At-most-once: an earlier delivery may have run the action, so it is not run again.
      await this.complete(msg, this.failureRecord(msg, StatusCode.WhiskError, Messages.invokerLost));
      return;
    }
    const spec = this.containerSpec(msg);
    if (!spec) {
      await this.complete(msg, this.failureRecord(msg, StatusCode.DeveloperError, `Unsupported kind '${msg.action.exec.kind}'.`));
      return;
    }
    const key = poolKey(msg.namespace, `${msg.action.namespace}/${msg.action.name}`, msg.action.revision);
    let lease: Lease;
    try {
      lease = this.pool.tryWarm(key) ?? (await this.pool.acquire(key, spec));
    } catch (err) {
      if (isWhirlError(err, 'WHIRL_CONTAINER_ENGINE_REQUIRED')) {
        // The action cannot run on this invoker at all (a --docker image without Docker): its developer's error.
        await this.complete(msg, this.failureRecord(msg, StatusCode.DeveloperError, errorText(err)));
        return;
      }
      this.deps.logger.error({ activationId: msg.activationId, err: errorText(err) }, 'container start failed');
      await this.complete(msg, this.failureRecord(msg, StatusCode.WhiskError, Messages.containerFailed(errorText(err))));
      return;
    }
    const { entry, container } = lease;
    let result: RunResult;
    try {
      result = await runActivation(msg, { container, cold: lease.cold, acquiredAt: this.deps.clock.now() }, this.runDeps());
    } catch (err) {
      this.deps.logger.error({ activationId: msg.activationId, err: errorText(err) }, 'activation failed in the invoker');
      const record = this.failureRecord(msg, StatusCode.WhiskError, `Internal error running the action: ${errorText(err)}`);
      result = { record, destroy: true, initialized: false, developerError: false };
    }
    // The caller hears the result now; logs follow in the stored record (as OpenWhisk acks before collecting logs).
    this.reply(msg, result.record);
    if (lease.cold && result.initialized) this.pool.markInitialized(entry);

    const finished = result;
    const logs = entry.logChain.then(() => collectActivationLogs(container, msg, finished));
    entry.logChain = logs.then(noop, noop);
    // A healthy container goes back to the pool before its logs are in; one that is to be destroyed keeps its
    // output stream open until the logs are collected.
    if (!result.destroy) this.pool.release(lease, false);
    const lines = await logs.catch((err: unknown) => {
      this.deps.logger.warn({ activationId: msg.activationId, err: errorText(err) }, 'log collection failed');
      return [] as string[];
    });
    if (result.destroy) this.pool.release(lease, true);
    await this.deps.records.write({ ...result.record, logs: lines });
  }

  private async complete(msg: ActivationMessage, record: ActivationRecord): Promise<void> {
    this.reply(msg, record);
    await this.deps.records.write(record);
  }

  private reply(msg: ActivationMessage, record: ActivationRecord): void {
    if (msg.replyTo === undefined) return;
    this.deps.queue
      .publishCompletion(msg.replyTo, completionOf(msg, record))
      .catch((err: unknown) => this.deps.logger.warn({ err: String(err) }, 'completion not delivered'));
  }

  private runDeps() {
    const o = this.deps.options;
    return { clock: this.deps.clock, limits: o.limits, apiHost: o.apiHost };
  }

  private containerSpec(msg: ActivationMessage): Omit<ContainerSpec, 'name'> | undefined {
    const exec = msg.action.exec;
    const image = isBlackbox(exec) ? exec.image : resolveKind(exec.kind, this.deps.options.runtimes)?.image;
    if (!image) return undefined;
    const networkOff = msg.action.annotations.some((a) => a.key === 'network' && a.value === false);
    return {
      image,
      kind: exec.kind,
      memoryMB: msg.action.limits.memory,
      env: { __OW_API_HOST: this.deps.options.apiHost },
      network: !networkOff,
      concurrency: msg.action.limits.concurrency,
    };
  }

  private failureRecord(msg: ActivationMessage, statusCode: StatusCode, error: string): ActivationRecord {
    return failureRecord(msg, this.deps.clock.now(), statusCode, error);
  }
}

/** Prewarm items whose kind this invoker can run, with their images. */
function prewarmConfigs(o: InvokerOptions): PrewarmConfig[] {
  const out: PrewarmConfig[] = [];
  for (const p of o.prewarm ?? []) {
    const resolved = resolveKind(p.kind, o.runtimes);
    if (resolved && p.count > 0) out.push({ kind: resolved.kind, image: resolved.image, memoryMB: p.memoryMB, count: p.count });
  }
  return out;
}

export function containerPrefix(invokerId: string): string {
  return `whirl-${invokerId.replace(/[^a-zA-Z0-9_.-]/g, '_')}-`;
}

function noop(): void {}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
