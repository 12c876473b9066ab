import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createPinoLogger } from './adapters/logging/pino-logger.js';
import { BullmqActivationQueue } from './adapters/queue/bullmq/bullmq-activation-queue.js';
import { MemoryActivationQueue } from './adapters/queue/memory/memory-activation-queue.js';
import { CouchActivationStore, CouchEntityStore } from './adapters/store/couchdb/index.js';
import { FileActivationStore, FileEntityStore } from './adapters/store/file/index.js';
import { MemoryActivationStore, MemoryEntityStore } from './adapters/store/memory/index.js';
import { DockerContainerFactory } from './adapters/containers/docker/docker-container-factory.js';
import { ProcessContainerFactory } from './adapters/containers/process/process-container-factory.js';
import { ensureSubject } from './api/auth/authenticator.js';
import { buildServer } from './api/server.js';
import type { Config } from './config/config.js';
import { loadConfig } from './config/load.js';
import { Activator } from './engine/activator.js';
import { RecordWriter } from './engine/record-writer.js';
import { Invoker } from './invoker/invoker.js';
import type { ActivationQueue } from './ports/activation-queue.js';
import type { ActivationStore } from './ports/activation-store.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { ContainerFactory } from './ports/container-factory.js';
import type { EntityStore } from './ports/entity-store.js';
import type { Logger } from './ports/logger.js';

/**
 * The composition root: the only module that names adapters. Builds what the configured role needs, wires it,
 * and returns a handle that stops everything in order (HTTP first, records last, so nothing accepted is lost).
 */
export interface WhirlHandle {
  /** Base URL of the API, when this process serves it. */
  url: string | undefined;
  config: Config;
  invoker: Invoker | undefined;
  stop(): Promise<void>;
}

export async function startWhirl(config: Config, options: { logger?: Logger; clock?: Clock } = {}): Promise<WhirlHandle> {
  const logger = options.logger ?? createPinoLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => logger.error({ err: String(err) }, 'shutdown step failed'));
    }
  };
  try {
    const { entities, activations } = await openStores(config);
    stops.push(async () => {
      await entities.close();
      await activations.close();
    });
    const queue = createQueue(config, logger);
    stops.push(() => queue.close());

    let invoker: Invoker | undefined;
    if (config.role !== 'api') {
      const records = new RecordWriter({
        store: activations,
        batchSize: config.store.batchSize,
        batchDelayMs: config.store.batchDelayMs,
        bufferMax: config.store.bufferMax,
        clock,
        logger,
      });
      stops.push(() => records.close());
      const factory = createContainerFactory(config, logger);
      stops.push(() => factory.close());
      invoker = new Invoker({
        queue,
        factory,
        records,
        clock,
        logger: logger.child({ component: 'invoker' }),
        options: {
          id: config.invoker.id,
          concurrency: config.invoker.concurrency,
          memoryMB: config.invoker.memoryMB,
          idleContainerMs: config.invoker.idleContainerMs,
          network: config.invoker.network,
          apiHost: config.http.apiHost,
          runtimes: config.runtimes,
          limits: config.limits,
        },
      });
      await invoker.start();
      const started = invoker;
      stops.push(() => started.stop());
    }

    let url: string | undefined;
    if (config.role !== 'invoker') {
      await ensureSubject(entities, config.guest);
      const engine = new Activator({ queue, instanceId: `api-${randomUUID().slice(0, 12)}`, clock, logger });
      await engine.start();
      stops.push(() => engine.stop());
      const app = buildServer({ config, entities, activations, engine, clock, logger });
      url = await app.listen({ host: config.http.host, port: config.http.port });
      stops.push(() => app.close());
    }
    return { url, config, invoker, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function openStores(config: Config): Promise<{ entities: EntityStore; activations: ActivationStore }> {
  switch (config.store.adapter) {
    case 'memory':
      return { entities: new MemoryEntityStore(), activations: new MemoryActivationStore() };
    case 'file':
      return {
        entities: await FileEntityStore.open({ dir: config.store.dataDir }),
        activations: await FileActivationStore.open({ dir: config.store.dataDir }),
      };
    case 'couchdb': {
      const opts = { url: config.store.couchdbUrl, prefix: config.store.couchdbPrefix };
      return { entities: await CouchEntityStore.open(opts), activations: await CouchActivationStore.open(opts) };
    }
  }
}

function createQueue(config: Config, logger: Logger): ActivationQueue {
  return config.queue.adapter === 'bullmq'
    ? new BullmqActivationQueue({
        redisUrl: config.queue.redisUrl,
        queueName: config.queue.name,
        logger,
        lockDurationMs: config.queue.lockMs,
        stalledIntervalMs: config.queue.stalledCheckMs,
      })
    : new MemoryActivationQueue({ logger });
}

function createContainerFactory(config: Config, logger: Logger): ContainerFactory {
  return config.invoker.containers === 'docker'
    ? new DockerContainerFactory({
        socketPath: config.invoker.dockerSocket,
        logger,
        invokerId: config.invoker.id,
        network: config.invoker.network,
      })
    : new ProcessContainerFactory({ logger });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const whirl = await startWhirl(config);
  if (!whirl.url) process.stdout.write(`Whirl invoker ${config.invoker.id} is running\n`);
  if (whirl.url) {
    const key = `${config.guest.uuid}:${config.guest.key}`;
    process.stdout.write(
      `\nWhirl is running at ${whirl.url}\n` +
        (config.printKey ? `  guest key: ${key}\n  try: curl -u '${key}' ${whirl.url}/api/v1/namespaces\n\n` : '\n'),
    );
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping Whirl (finishing in-flight activations, storing records)…\n`);
    whirl.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`Whirl failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
