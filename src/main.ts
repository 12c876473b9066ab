import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { CpuSaturation } from './adapters/host/cpu-saturation.js';
import { createPinoLogger } from './adapters/logging/pino-logger.js';
import { BullmqActivationQueue } from './adapters/queue/bullmq/bullmq-activation-queue.js';
import { KafkaActivationQueue } from './adapters/queue/kafka/kafka-activation-queue.js';
import { MemoryActivationQueue } from './adapters/queue/memory/memory-activation-queue.js';
import { FileActivationQueue } from './adapters/queue/file/file-activation-queue.js';
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
import {
  CouchKafkaSubscriptions,
  MemoryKafkaSubscriptions,
  RedisKafkaSubscriptions,
} from './adapters/streams/kafka-subscriptions.js';
import { RedisInvokerRegistry } from './adapters/registry/redis-invoker-registry.js';
import { CouchInvokerRegistry } from './adapters/registry/couch-invoker-registry.js';
import { CouchThrottleCounters } from './adapters/counters/couch-throttle-counters.js';
import { CouchScheduleStore } from './adapters/schedules/couch-schedule-store.js';
import { CouchWebhookInbox } from './adapters/webhooks/couch-webhook-inbox.js';
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
import { seedBuiltinPackages } from './engine/catalog/start-catalog.js';
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
  /** Gives up on records not yet stored when the shutdown bound is reached (set with the record writer). */
  let abandonRecords: (why: string) => void = () => {};
  const stopInOrder = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => logger.error({ err: String(err) }, 'shutdown step failed'));
    }
  };
  // Bounded, whatever the store or queue does: at the bound, unstored records are logged by id (the writer does)
  // and the stop resolves; what is left unacknowledged in a durable queue is redelivered after the restart.
  const stopAll = () => boundedStop(stopInOrder(), config.shutdownTimeoutMs, clock, () => {
    logger.error({ boundMs: config.shutdownTimeoutMs, stepsLeft: stops.length }, 'shutdown did not finish in time');
    abandonRecords(`at the shutdown bound (${config.shutdownTimeoutMs} ms)`);
  });
  try {
    const { entities, activations } = await openStores(config);
    stops.push(async () => {
      await entities.close();
      await activations.close();
    });
    const queue = await createQueue(config, logger);
    stops.push(() => queue.close());
    metrics.addSource('queueDepth', () => queue.depth());
    const registry = createInvokerRegistry(config, clock, logger);
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
        closeTimeoutMs: config.shutdownTimeoutMs,
      });
      abandonRecords = (why) => records.abandon(why);
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
        limits: config.compositions.limits,
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
      // `/whisk.system/utils` and the built-in feed packages, as stored entities (docs/packages.md).
      await seedBuiltinPackages(entities, {
        runtimes: config.runtimes,
        limits: config.limits,
        feedNames: feedRuntime.feeds.names(),
        now: clock.now(),
      });
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

/** Resolves when `stopping` does or `boundMs` passed (then after `onTimeout`), whichever is first. */
async function boundedStop(stopping: Promise<void>, boundMs: number, clock: Clock, onTimeout: () => void): Promise<void> {
  let timer: { cancel(): void } | undefined;
  const bound = new Promise<'late'>((resolve) => {
    timer = clock.setTimeout(() => resolve('late'), boundMs);
  });
  const outcome = await Promise.race([stopping.then(() => 'done' as const), bound]);
  timer?.cancel();
  if (outcome === 'late') onTimeout();
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

/** Schedules and stream subscriptions, where the coordination setting says (shared, or local to this process). */
async function openFeedBackends(
  config: Config,
  logger: Logger,
): Promise<{ schedules: ScheduleStore; streams: MessageStreams }> {
  switch (config.coordination.mode) {
    case 'redis': {
      const opts = { redisUrl: config.redis.url, prefix: `${config.queue.name}:feeds`, logger };
      return { schedules: new RedisScheduleStore(opts), streams: new RedisMessageStreams(opts) };
    }
    case 'store':
      // Redis-stream triggers need Redis: without it they are local to this process (docs/feeds.md).
      return { schedules: new CouchScheduleStore(couchOptions(config)), streams: new MemoryMessageStreams() };
    case 'local':
      return {
        schedules:
          config.store.adapter === 'file' ? await FileScheduleStore.open({ dir: config.store.dataDir }) : new MemoryScheduleStore(),
        streams: new MemoryMessageStreams(),
      };
  }
}

/**
 * Kafka-topic feed subscriptions: kept where the other coordination state is, positions in Kafka.
 * Always available: no Kafka connection is made until a trigger subscribes to a topic (docs/feeds.md).
 */
function openKafkaStreams(config: Config, logger: Logger): MessageStreams {
  const mode = config.coordination.mode;
  const subscriptions =
    mode === 'redis'
      ? new RedisKafkaSubscriptions({ redisUrl: config.redis.url, prefix: `${config.queue.name}:feeds`, logger })
      : mode === 'store'
        ? new CouchKafkaSubscriptions(couchOptions(config))
        : new MemoryKafkaSubscriptions();
  return new KafkaMessageStreams({
    brokers: config.queue.kafka.brokers,
    subscriptions,
    groupPrefix: `${config.queue.name}.feeds`,
    logger: logger.child({ component: 'kafka-feed' }),
  });
}

function createInvokerRegistry(config: Config, clock: Clock, logger: Logger): InvokerRegistry {
  const forgetMs = config.invoker.forgetMs;
  switch (config.coordination.mode) {
    case 'redis':
      return new RedisInvokerRegistry({ redisUrl: config.redis.url, prefix: config.queue.name, forgetMs, logger });
    case 'store':
      return new CouchInvokerRegistry({ ...couchOptions(config), forgetMs });
    case 'local':
      return new MemoryInvokerRegistry({ clock, forgetMs });
  }
}

/** The CouchDB server and name prefix (coordination state lives in its `<prefix>coordination` database). */
function couchOptions(config: Config): { url: string; prefix: string } {
  return { url: config.store.couchdbUrl, prefix: config.store.couchdbPrefix };
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

async function createQueue(config: Config, logger: Logger): Promise<ActivationQueue> {
  switch (config.queue.adapter) {
    case 'file':
      return FileActivationQueue.open({ dir: config.store.dataDir, logger });
    case 'kafka':
      return new KafkaActivationQueue({ ...config.queue.kafka, queueName: config.queue.name, logger });
    case 'bullmq':
      return new BullmqActivationQueue({
        redisUrl: config.redis.url,
        connectTimeoutMs: config.redis.connectTimeoutMs,
        queueName: config.queue.name,
        logger,
        lockDurationMs: config.queue.lockMs,
        stalledIntervalMs: config.queue.stalledCheckMs,
      });
    case 'memory':
      // Tests only: an in-process queue survives no crash (docs/guarantees.md); the default is `file`.
      logger.info({}, 'WHIRL_QUEUE=memory: accepted activations do not survive a crash of this process (tests only)');
      return new MemoryActivationQueue({ logger });
  }
}

/** Shared by every API process unless coordination is local, so every process counts against the same limits. */
function createThrottleCounters(config: Config, logger: Logger): ThrottleCounters {
  switch (config.coordination.mode) {
    case 'redis':
      return new RedisThrottleCounters({
        redisUrl: config.redis.url,
        connectTimeoutMs: config.redis.connectTimeoutMs,
        prefix: `${config.queue.name}:throttle`,
        logger,
      });
    case 'store':
      return new CouchThrottleCounters(couchOptions(config));
    case 'local':
      return new MemoryThrottleCounters();
  }
}

/**
 * Where accepted deliveries wait: Redis, the CouchDB coordination database, or (local) an fsync'd log in the data
 * dir. Memory only with the memory store (tests); local coordination with CouchDB is refused at start.
 */
async function createWebhookInbox(config: Config, logger: Logger): Promise<WebhookInbox> {
  switch (config.coordination.mode) {
    case 'redis':
      return new RedisWebhookInbox({ redisUrl: config.redis.url, prefix: config.queue.name, logger });
    case 'store':
      return new CouchWebhookInbox({ ...couchOptions(config), logger });
    case 'local':
      return config.store.adapter === 'file' ? openFileWebhookInbox(config.store.dataDir) : new MemoryWebhookInbox();
  }
}

function createContainerFactory(config: Config, logger: Logger): ContainerFactory {
  return config.invoker.containers === 'docker'
    ? new DockerContainerFactory({
        socketPath: config.invoker.dockerSocket,
        logger,
        invokerId: config.invoker.id,
        network: config.invoker.network,
      })
    : new ProcessContainerFactory({ logger, pythonPath: config.invoker.python });
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
    // The stop is bounded by WHIRL_SHUTDOWN_TIMEOUT_MS; this only guards against a stop that never yields.
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 5_000).unref();
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
