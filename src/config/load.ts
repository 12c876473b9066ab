import { WhirlError } from '../errors/whirl-error.js';
import type { Config } from './config.js';
import { EnvSchema } from './schema.js';
import { parsePrewarm } from './prewarm-list.js';
import { refuseUnsafeTopology, resolveCoordination } from './topology.js';

/** Parses the environment once. Throws a WhirlError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new WhirlError('WHIRL_BAD_REQUEST', [`invalid configuration: ${detail}`]);
  }
  const e = parsed.data;
  const [uuid = '', key = ''] = splitKey(e.WHIRL_GUEST_KEY);
  const config: Config = {
    role: e.WHIRL_ROLE,
    redis: { url: e.WHIRL_REDIS_URL, connectTimeoutMs: e.WHIRL_REDIS_CONNECT_TIMEOUT_MS },
    coordination: { mode: resolveCoordination(e.WHIRL_COORDINATION, e.WHIRL_QUEUE, e.WHIRL_STORE) },
    http: { host: e.WHIRL_HOST, port: e.WHIRL_PORT, apiHost: e.WHIRL_API_HOST ?? `http://${e.WHIRL_HOST}:${e.WHIRL_PORT}` },
    logLevel: e.WHIRL_LOG_LEVEL,
    queue: {
      adapter: e.WHIRL_QUEUE,
      name: e.WHIRL_QUEUE_NAME,
      lockMs: e.WHIRL_QUEUE_LOCK_MS,
      stalledCheckMs: e.WHIRL_QUEUE_STALLED_CHECK_MS,
      kafka: {
        brokers: e.WHIRL_KAFKA_BROKERS.split(',').map((b) => b.trim()).filter((b) => b.length > 0),
        partitions: e.WHIRL_KAFKA_PARTITIONS,
        sessionTimeoutMs: e.WHIRL_KAFKA_SESSION_TIMEOUT_MS,
      },
    },
    store: {
      adapter: e.WHIRL_STORE,
      dataDir: e.WHIRL_DATA_DIR,
      couchdbUrl: e.WHIRL_COUCHDB_URL,
      couchdbPrefix: e.WHIRL_COUCHDB_PREFIX,
      batchSize: e.WHIRL_RECORD_BATCH_SIZE,
      batchDelayMs: e.WHIRL_RECORD_BATCH_DELAY_MS,
      bufferMax: e.WHIRL_RECORD_BUFFER_MAX,
    },
    invoker: {
      containers: e.WHIRL_CONTAINERS,
      python: e.WHIRL_PYTHON,
      dockerSocket: e.WHIRL_DOCKER_SOCKET,
      id: e.WHIRL_INVOKER_ID,
      concurrency: e.WHIRL_INVOKER_CONCURRENCY,
      memoryMB: e.WHIRL_INVOKER_MEMORY_MB,
      idleContainerMs: e.WHIRL_IDLE_CONTAINER_MS,
      network: e.WHIRL_CONTAINER_NETWORK,
      prewarm: parsePrewarm(e.WHIRL_PREWARM),
      pauseGraceMs: e.WHIRL_PAUSE_GRACE_MS > 0 ? e.WHIRL_PAUSE_GRACE_MS : undefined,
      heartbeatMs: e.WHIRL_INVOKER_HEARTBEAT_MS,
      deadMs: e.WHIRL_INVOKER_DEAD_MS,
      forgetMs: e.WHIRL_INVOKER_FORGET_MS,
    },
    runtimes: [
      {
        family: 'nodejs',
        kinds: [{ kind: 'nodejs:20', image: e.WHIRL_NODEJS_IMAGE, default: true }],
      },
      {
        family: 'python',
        kinds: [
          { kind: 'python:3', image: e.WHIRL_PYTHON_IMAGE, default: true },
          { kind: 'python:3.11', image: e.WHIRL_PYTHON_IMAGE },
        ],
      },
    ],
    guest: { namespace: e.WHIRL_GUEST_NAMESPACE, uuid, key },
    limits: {
      timeout: { min: e.WHIRL_LIMIT_TIMEOUT_MIN, max: e.WHIRL_LIMIT_TIMEOUT_MAX, default: e.WHIRL_LIMIT_TIMEOUT_DEFAULT },
      memory: { min: e.WHIRL_LIMIT_MEMORY_MIN, max: e.WHIRL_LIMIT_MEMORY_MAX, default: e.WHIRL_LIMIT_MEMORY_DEFAULT },
      logs: { min: e.WHIRL_LIMIT_LOGS_MIN, max: e.WHIRL_LIMIT_LOGS_MAX, default: e.WHIRL_LIMIT_LOGS_DEFAULT },
      concurrency: {
        min: e.WHIRL_LIMIT_CONCURRENCY_MIN,
        max: e.WHIRL_LIMIT_CONCURRENCY_MAX,
        default: e.WHIRL_LIMIT_CONCURRENCY_DEFAULT,
      },
      maxPayloadBytes: e.WHIRL_LIMIT_PAYLOAD_BYTES,
      maxResultBytes: e.WHIRL_LIMIT_RESULT_BYTES,
      maxCodeBytes: e.WHIRL_LIMIT_CODE_BYTES,
      maxParameterBytes: e.WHIRL_LIMIT_PARAMETER_BYTES,
      maxBlockingWaitMs: e.WHIRL_LIMIT_BLOCKING_WAIT_MS,
      sequenceMaxLength: e.WHIRL_LIMIT_SEQUENCE_LENGTH,
    },
    printKey: e.WHIRL_PRINT_KEY,
    shutdownTimeoutMs: e.WHIRL_SHUTDOWN_TIMEOUT_MS,
    feeds: {
      schedulePollMs: e.WHIRL_SCHEDULE_POLL_MS,
      toleranceMs: e.WHIRL_SCHEDULE_TOLERANCE_MS,
      missed: e.WHIRL_SCHEDULE_MISSED,
      maxCatchUp: e.WHIRL_SCHEDULE_MAX_CATCH_UP,
      streamPollMs: e.WHIRL_STREAM_POLL_MS,
      streamRetryMs: e.WHIRL_STREAM_RETRY_MS,
    },
    metrics: { enabled: e.WHIRL_METRICS, invokerPort: e.WHIRL_METRICS_PORT },
    compositions: {
      pollMs: e.WHIRL_COMPOSITION_POLL_MS,
      saveDelayMs: e.WHIRL_COMPOSITION_SAVE_DELAY_MS,
      limits: {
        maxIterations: e.WHIRL_COMPOSITION_MAX_ITERATIONS,
        maxMapItems: e.WHIRL_COMPOSITION_MAX_MAP_ITEMS,
        maxNesting: e.WHIRL_COMPOSITION_MAX_NESTING,
        maxResultBytes: e.WHIRL_COMPOSITION_MAX_RESULT_BYTES,
        maxStateBytes: e.WHIRL_COMPOSITION_MAX_STATE_BYTES,
      },
    },
    throttles: {
      invocationsPerMinute: e.WHIRL_THROTTLE_INVOCATIONS_PER_MINUTE,
      concurrentInvocations: e.WHIRL_THROTTLE_CONCURRENT_INVOCATIONS,
      firesPerMinute: e.WHIRL_THROTTLE_FIRES_PER_MINUTE,
      namespaces: e.WHIRL_THROTTLE_NAMESPACES,
    },
    webhooks: {
      worker: e.WHIRL_WEBHOOK_WORKER,
      toleranceSec: e.WHIRL_WEBHOOK_TOLERANCE_S,
      replayWindowSec: e.WHIRL_WEBHOOK_REPLAY_WINDOW_S,
    },
    auth: { cacheTtlMs: e.WHIRL_AUTH_CACHE_TTL_MS, failuresPerMinute: e.WHIRL_AUTH_FAILURES_PER_MINUTE },
  };
  refuseUnsafeTopology(config);
  return config;
}

function splitKey(k: string): [string, string] {
  const i = k.indexOf(':');
  return [k.slice(0, i), k.slice(i + 1)];
}
