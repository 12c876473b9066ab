import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { CpuSaturation } from './adapters/host/cpu-saturation.js';
import { createPinoLogger } from './adapters/logging/pino-logger.js';
import { BullmqActivationQueue } from './adapters/queue/bullmq/bullmq-activation-queue.js';
import { KafkaActivationQueue } from './adapters/queue/kafka/kafka-activation-queue.js';
import { MemoryActivationQueue } from './adapters/queue/memory/memory-activation-queue.js';
import { CouchActivationStore, CouchEntityStore } from './adapters/store/couchdb/index.js';
import { FileActivationStore, FileEntityStore } from './adapters/store/file/index.js';
import { MemoryActivationStore, MemoryEntityStore } from './adapters/store/memory/index.js';
import { CouchExecutionStore } from './adapters/store/couchdb/couch-execution-store.js';
import { FileExecutionStore } from './adapters/store/file/file-execution-store.js';
import { MemoryExecutionStore } from './adapters/store/memory/memory-execution-store.js';
import { DockerContainerFactory } from './adapters/containers/docker/docker-container-factory.js';
import { ProcessContainerFactory } from './adapters/containers/process/process-container-factory.js';
import { MemoryInvokerRegistry } from './adapters/registry/memory-invoker-registry.js';
import { FileScheduleStore } from './adapters/schedules/file-schedule-store.js';
import { MemoryScheduleStore } from './adapters/schedules/memory-schedule-store.js';
import { RedisScheduleStore } from './adapters/schedules/redis-schedule-store.js';
import { MemoryMessageStreams } from './adapters/streams/memory-message-streams.js';
import { RedisMessageStreams } from './adapters/streams/redis-message-streams.js';
import { KafkaMessageStreams } from './adapters/streams/kafka-message-streams.js';
import { MemoryKafkaSubscriptions, RedisKafkaSubscriptions } from './adapters/streams/kafka-subscriptions.js';
import { RedisInvokerRegistry } from './adapters/registry/redis-invoker-registry.js';
import { meteredRecordSink } from './adapters/metrics/metered-record-sink.js';
import { PrometheusMetrics } from './adapters/metrics/prometheus-metrics.js';
import { MemoryThrottleCounters } from './adapters/counters/memory-throttle-counters.js';
import { RedisThrottleCounters } from './adapters/counters/redis-throttle-counters.js';
import { openFileWebhookInbox } from './adapters/webhooks/file-webhook-inbox.js';
import { MemoryWebhookInbox } from './adapters/webhooks/memory-webhook-inbox.js';
import { RedisWebhookInbox } from './adapters/webhooks/redis-webhook-inbox.js';
import { ensureSubject } from './api/auth/authenticator.js';
import { buildMetricsServer } from './api/metrics-server.js';
import { buildServer } from './api/server.js';
import type { Config } from './config/config.js';
import { loadConfig } from './config/load.js';
import { Activator } from './engine/activator.js';
import { CompositionEngine } from './engine/composition/engine.js';
import { startFeedRuntime } from './engine/feeds/feed-runtime.js';
import { InvokerPlacer } from './engine/invoker-placer.js';
import { RecordWriter } from './engine/record-writer.js';
import { NamespaceThrottle } from './engine/throttles/namespace-throttle.js';
import { anyThrottle } from './engine/throttles/throttle-limits.js';
import { ThrottledQueue } from './engine/throttles/throttled-queue.js';
import { compositionTarget } from './engine/triggers/composition-target.js';
import { actionTarget, RuleTargets } from './engine/triggers/rule-targets.js';
import { WebhookWorker } from './engine/webhooks/webhook-worker.js';
import { Invoker } from './invoker/invoker.js';
import type { ActivationQueue } from './ports/activation-queue.js';
import type { ActivationStore } from './ports/activation-store.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { ContainerFactory } from './ports/container-factory.js';
import type { EntityStore } from './ports/entity-store.js';
import type { ExecutionStore } from './ports/execution-store.js';
import type { InvokerRegistry } from './ports/invoker-registry.js';
import type { Logger } from './ports/logger.js';
import type { MessageStreams } from './ports/message-streams.js';
import type { ScheduleStore } from './ports/schedule-store.js';
import { noMetrics, type Metrics } from './ports/metrics.js';
import type { ThrottleCounters } from './ports/throttle-counters.js';
import type { WebhookInbox } from './ports/webhook-inbox.js';

/**
 * The composition root: the only module that names adapters. Builds what the configured role needs, wires it,
 * and returns a handle that stops everything in order (HTTP first, records last, so nothing accepted is lost).
 */
export interface WhirlHandle {
  /** Base URL of the API, when this process serves it. */
  url: string | undefined;
  config: Config;
  invoker: Invoker | undefined;
  /** This process's metrics (the composition engine reports execution states here). */
  metrics: Metrics;
  stop(): Promise<void>;
}

export async function startWhirl(config: Config, options: { logger?: Logger; clock?: Clock } = {}): Promise<WhirlHandle> {
  const logger = options.logger ?? createPinoLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const metrics = config.metrics.enabled ? new PrometheusMetrics() : noMetrics;
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
    metrics.addSource('queueDepth', () => queue.depth());
    const registry = createInvokerRegistry(config, clock);
    stops.push(() => registry.close());

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
      const cpu = new CpuSaturation();
      stops.push(async () => cpu.close());
      invoker = new Invoker({
        queue,
        factory,
        records: meteredRecordSink(records, metrics),
        clock,
        logger: logger.child({ component: 'invoker' }),
        host: { busy: cpu.isBusy },
        options: {
          id: config.invoker.id,
          concurrency: config.invoker.concurrency,
          memoryMB: config.invoker.memoryMB,
          idleContainerMs: config.invoker.idleContainerMs,
          network: config.invoker.network,
          apiHost: config.http.apiHost,
          runtimes: config.runtimes,
          limits: config.limits,
          prewarm: config.invoker.prewarm,
          pauseGraceMs: config.invoker.pauseGraceMs,
          heartbeatMs: config.invoker.heartbeatMs,
          deadMs: config.invoker.deadMs,
        },
        registry,
      });
      await invoker.start();
      const started = invoker;
      metrics.addSource('containerPool', () => started.pool.stats());
      stops.push(() => started.stop());
    }

    let url: string | undefined;
    if (config.role !== 'invoker') {
      await ensureSubject(entities, config.guest);
      const counters = createThrottleCounters(config, logger);
      stops.push(() => counters.close());
      const throttle = new NamespaceThrottle({ counters, settings: config.throttles, clock });
      // Throttles admit activations where they are accepted: the API's side of the queue (src/engine/throttles).
      const admitted = anyThrottle(config.throttles) ? new ThrottledQueue(queue, throttle, logger) : queue;
      const placer = new InvokerPlacer({
        registry,
        clock,
        logger,
        refreshMs: config.invoker.heartbeatMs,
        deadMs: config.invoker.deadMs,
      });
      await placer.start();
      stops.push(async () => placer.stop());
      const instanceId = `api-${randomUUID().slice(0, 12)}`;
      const executions = await openExecutionStore(config);
      stops.push(() => executions.close());
      // Composition steps are internal activations: they go straight to the queue (the invoke was admitted).
      const compositions = new CompositionEngine({
        queue,
        activations,
        executions,
        entities,
        clock,
        logger: logger.child({ component: 'compositions' }),
        instanceId: `${instanceId}-compose`,
        pollMs: config.compositions.pollMs,
        saveDelayMs: config.compositions.saveDelayMs,
      });
      await compositions.start();
      stops.push(() => compositions.stop());
      const engine = new Activator({ queue: admitted, instanceId, clock, logger, placer, sequences: compositions });
      await engine.start();
      stops.push(() => engine.stop());
      // Rules start actions first, then compositions of that name (src/engine/triggers/rule-targets.ts).
      const ruleTargets = new RuleTargets([
        actionTarget({ entities, engine }),
        compositionTarget({ entities, compositions }),
      ]);
      // Built-in feeds: alarm schedules (fired once per tick across API processes) and Redis-stream triggers.
      const feedBackends = await openFeedBackends(config, logger);
      const kafkaStreams = openKafkaStreams(config, logger);
      stops.push(async () => {
        await feedBackends.schedules.close();
        await feedBackends.streams.close();
        await kafkaStreams.close();
      });
      const feedRuntime = startFeedRuntime({
        ...feedBackends,
        kafkaStreams,
        firing: { entities, activations, targets: ruleTargets, clock, logger },
        clock,
        logger: logger.child({ component: 'feeds' }),
        options: { ...config.feeds, consumerId: instanceId },
      });
      stops.push(() => feedRuntime.stop());
      const webhookInbox = await createWebhookInbox(config, logger);
      stops.push(() => webhookInbox.close());
      if (config.webhooks.worker) {
        const firing = { entities, activations, targets: ruleTargets, clock, logger };
        const worker = new WebhookWorker({ inbox: webhookInbox, firing, logger: logger.child({ component: 'webhooks' }) });
        await worker.start();
        stops.push(() => worker.stop());
      }
      const app = buildServer({
        config,
        entities,
        activations,
        engine,
        clock,
        logger,
        metrics,
        ruleTargets,
        triggerHooks: feedRuntime.feeds.hooks(),
        builtinFeeds: feedRuntime.feeds,
        throttle,
        webhookInbox,
        compositions,
      });
      url = await listenOrHint(() => app.listen({ host: config.http.host, port: config.http.port }), 'WHIRL_PORT', config.http.port);
      stops.push(() => app.close());
    }
    if (config.role === 'invoker' && config.metrics.enabled && config.metrics.invokerPort > 0) {
      const scrape = buildMetricsServer(metrics);
      await listenOrHint(() => scrape.listen({ host: config.http.host, port: config.metrics.invokerPort }), 'WHIRL_METRICS_PORT', config.metrics.invokerPort);
      stops.push(() => scrape.close());
    }
    return { url, config, invoker, metrics, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** A port already taken is the commonest start-up failure: say which setting moves it. */
async function listenOrHint<T>(listen: () => Promise<T>, setting: string, port: number): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new Error(
      `${(err as Error).message}: port ${port} is already in use (another Whirl?); ` +
        `set ${setting} to a free port, e.g. ${setting}=${port + 1} npm start`,
    );
  }
}

/** Schedules and stream subscriptions: in Redis (shared by every API process), or local to this process. */
async function openFeedBackends(
  config: Config,
  logger: Logger,
): Promise<{ schedules: ScheduleStore; streams: MessageStreams }> {
  switch (config.feeds.store) {
    case 'redis': {
      const opts = { redisUrl: config.queue.redisUrl, prefix: `${config.queue.name}:feeds`, logger };
      return { schedules: new RedisScheduleStore(opts), streams: new RedisMessageStreams(opts) };
    }
    case 'file':
      return {
        schedules: await FileScheduleStore.open({ dir: config.store.dataDir }),
        streams: new MemoryMessageStreams(),
      };
    case 'memory':
      return { schedules: new MemoryScheduleStore(), streams: new MemoryMessageStreams() };
  }
}

/**
 * Kafka-topic feed subscriptions: kept where the other feed state is (Redis or this process), positions in Kafka.
 * Always available: no Kafka connection is made until a trigger subscribes to a topic (docs/feeds.md).
 */
function openKafkaStreams(config: Config, logger: Logger): MessageStreams {
  const subscriptions =
    config.feeds.store === 'redis'
      ? new RedisKafkaSubscriptions({ redisUrl: config.queue.redisUrl, prefix: `${config.queue.name}:feeds` })
      : new MemoryKafkaSubscriptions();
  return new KafkaMessageStreams({
    brokers: config.queue.kafka.brokers,
    subscriptions,
    groupPrefix: `${config.queue.name}.feeds`,
    logger: logger.child({ component: 'kafka-feed' }),
  });
}

function createInvokerRegistry(config: Config, clock: Clock): InvokerRegistry {
  return config.invoker.registry === 'redis'
    ? new RedisInvokerRegistry({
        redisUrl: config.queue.redisUrl,
        prefix: config.queue.name,
        forgetMs: config.invoker.forgetMs,
      })
    : new MemoryInvokerRegistry({ clock, forgetMs: config.invoker.forgetMs });
}

/** Composition executions live beside the other records, in the configured store. */
async function openExecutionStore(config: Config): Promise<ExecutionStore> {
  switch (config.store.adapter) {
    case 'memory':
      return new MemoryExecutionStore();
    case 'file':
      return FileExecutionStore.open({ dir: config.store.dataDir });
    case 'couchdb':
      return CouchExecutionStore.open({ url: config.store.couchdbUrl, prefix: config.store.couchdbPrefix });
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
  if (config.queue.adapter === 'kafka') {
    return new KafkaActivationQueue({ ...config.queue.kafka, queueName: config.queue.name, logger });
  }
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

/** Redis when the queue is on Redis, so every API process counts against the same limits. */
function createThrottleCounters(config: Config, logger: Logger): ThrottleCounters {
  return config.queue.adapter === 'bullmq'
    ? new RedisThrottleCounters({ redisUrl: config.queue.redisUrl, prefix: `${config.queue.name}:throttle`, logger })
    : new MemoryThrottleCounters();
}

/** Beside the activation queue when it is on Redis; else beside the store (file: fsync'd log in the data dir). */
async function createWebhookInbox(config: Config, logger: Logger): Promise<WebhookInbox> {
  if (config.queue.adapter === 'bullmq') {
    return new RedisWebhookInbox({ redisUrl: config.queue.redisUrl, prefix: config.queue.name, logger });
  }
  return config.store.adapter === 'file' ? openFileWebhookInbox(config.store.dataDir) : new MemoryWebhookInbox();
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
