import { z } from 'zod';

/**
 * The whole configuration, from environment variables. Every default is written here and nowhere else.
 * `process.env` is read only by `load.ts`.
 */
const int = (def: number) => z.coerce.number().int().default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const EnvSchema = z.object({
  /** Which processes run here: API, invoker, or both (the embedded default). */
  WHIRL_ROLE: z.enum(['all', 'api', 'invoker']).default('all'),
  WHIRL_HOST: z.string().default('127.0.0.1'),
  WHIRL_PORT: int(3233),
  /** Public URL actions use to call back (`__OW_API_HOST`); defaults to http://WHIRL_HOST:WHIRL_PORT. */
  WHIRL_API_HOST: z.string().optional(),
  WHIRL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /**
   * The activation queue. `file` (the embedded default): on disk in WHIRL_DATA_DIR, one process, survives kill -9.
   * `memory`: in-process, survives no crash — for tests only. `bullmq` (Redis) and `kafka` serve many processes.
   */
  WHIRL_QUEUE: z.enum(['file', 'memory', 'bullmq', 'kafka']).default('file'),
  /** Kafka (WHIRL_QUEUE=kafka): comma-separated `host:port` bootstrap brokers (docs/kafka.md). */
  WHIRL_KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  /** Kafka: partitions of the shared work topic (the most invokers sharing untargeted work), and the consumer
   * session timeout (ms): how long a dead invoker keeps its partitions, the crash detection bound. */
  WHIRL_KAFKA_PARTITIONS: int(8),
  WHIRL_KAFKA_SESSION_TIMEOUT_MS: int(10_000),
  /** Redis, for the BullMQ queue and for `WHIRL_COORDINATION=redis`. */
  WHIRL_REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Longest wait for a Redis connection before a request answers 503 (ms); later outages fail at once. */
  WHIRL_REDIS_CONNECT_TIMEOUT_MS: int(2_000),
  /**
   * Where processes share the invoker registry, throttle counters, feed schedules and subscriptions and the
   * webhook inbox (docs/guarantees.md#coordination): `redis` (WHIRL_REDIS_URL), `store` (CouchDB: a
   * `<prefix>coordination` database), `local` (this process: memory, and the data dir for the inbox and schedules
   * with the file store). `auto`: redis with WHIRL_QUEUE=bullmq, store with WHIRL_STORE=couchdb, local otherwise.
   */
  WHIRL_COORDINATION: z.enum(['auto', 'redis', 'store', 'local']).default('auto'),
  /** Key prefix / queue name, so several Whirls can share one Redis. */
  WHIRL_QUEUE_NAME: z.string().default('whirl'),
  /**
   * BullMQ: how long an invoker's claim on an activation lasts without renewal (ms), and how often live invokers
   * look for activations whose invoker died. Together they bound how long a crash goes unnoticed.
   */
  WHIRL_QUEUE_LOCK_MS: int(15_000),
  WHIRL_QUEUE_STALLED_CHECK_MS: int(5_000),

  WHIRL_STORE: z.enum(['memory', 'file', 'couchdb']).default('file'),
  WHIRL_DATA_DIR: z.string().default('.whirl'),
  WHIRL_COUCHDB_URL: z.string().default('http://admin:admin@127.0.0.1:5984'),
  WHIRL_COUCHDB_PREFIX: z.string().default('whirl_'),
  /** Activation records per `_bulk_docs` request, and the longest a record waits for its batch (ms). */
  WHIRL_RECORD_BATCH_SIZE: int(500),
  WHIRL_RECORD_BATCH_DELAY_MS: int(50),
  /** Records buffered before the writer pushes back on invokers (the batch queue is bounded). */
  WHIRL_RECORD_BUFFER_MAX: int(20000),

  WHIRL_CONTAINERS: z.enum(['process', 'docker']).default('process'),
  WHIRL_DOCKER_SOCKET: z.string().default('/var/run/docker.sock'),
  /** Image for `nodejs:20`; built locally by `runtimes/nodejs/build.sh`. */
  WHIRL_NODEJS_IMAGE: z.string().default('whirl/runtime-nodejs:20'),
  /** Image for `python:3` and `python:3.11`; built locally by `runtimes/python/build.sh`. */
  WHIRL_PYTHON_IMAGE: z.string().default('whirl/runtime-python:3'),
  /** Python 3 that process containers run python kinds with: a path, or a name found in /usr/local/bin:/usr/bin:/bin. */
  WHIRL_PYTHON: z.string().default('python3'),
  WHIRL_INVOKER_ID: z.string().default('invoker0'),
  /** Deliveries in flight per invoker process (running, waiting for a container, or waiting for their record). */
  WHIRL_INVOKER_CONCURRENCY: int(256),
  /** Memory (MB) the invoker may give to containers. */
  WHIRL_INVOKER_MEMORY_MB: int(4096),
  /** An idle warm container is removed after this long (ms). */
  WHIRL_IDLE_CONTAINER_MS: int(600_000),
  WHIRL_CONTAINER_NETWORK: z.string().default('bridge'),
  /**
   * Prewarmed stem-cell containers: `kind@memoryMB=count`, comma separated (OpenWhisk keeps 2 nodejs 256 MB ones;
   * one is enough on a small host). Empty: none.
   */
  WHIRL_PREWARM: z.string().regex(/^([^,@=]+@\d+=\d+)?(,[^,@=]+@\d+=\d+)*$/).default('nodejs:default@256=1'),
  /** Idle containers are paused after this long (ms); 0 never pauses. */
  WHIRL_PAUSE_GRACE_MS: int(10_000),
  /** Invoker membership: heartbeat period, silence after which an invoker is dead, and when it is forgotten (ms). */
  WHIRL_INVOKER_HEARTBEAT_MS: int(1000),
  WHIRL_INVOKER_DEAD_MS: int(5000),
  WHIRL_INVOKER_FORGET_MS: int(600_000),

  WHIRL_GUEST_NAMESPACE: z.string().default('guest'),
  /** The well-known OpenWhisk guest key, so `wsk` works out of the box; set your own in production. */
  WHIRL_GUEST_KEY: z
    .string()
    .regex(/^[^:]+:.{1,}$/)
    .default('23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP'),

  WHIRL_LIMIT_TIMEOUT_MIN: int(100),
  WHIRL_LIMIT_TIMEOUT_MAX: int(300_000),
  WHIRL_LIMIT_TIMEOUT_DEFAULT: int(60_000),
  WHIRL_LIMIT_MEMORY_MIN: int(128),
  WHIRL_LIMIT_MEMORY_MAX: int(512),
  WHIRL_LIMIT_MEMORY_DEFAULT: int(256),
  WHIRL_LIMIT_LOGS_MIN: int(0),
  WHIRL_LIMIT_LOGS_MAX: int(10),
  WHIRL_LIMIT_LOGS_DEFAULT: int(10),
  WHIRL_LIMIT_CONCURRENCY_MIN: int(1),
  WHIRL_LIMIT_CONCURRENCY_MAX: int(500),
  WHIRL_LIMIT_CONCURRENCY_DEFAULT: int(1),
  WHIRL_LIMIT_PAYLOAD_BYTES: int(1_048_576),
  WHIRL_LIMIT_RESULT_BYTES: int(1_048_576),
  WHIRL_LIMIT_CODE_BYTES: int(48 * 1_048_576),
  WHIRL_LIMIT_PARAMETER_BYTES: int(1_048_576),
  WHIRL_LIMIT_BLOCKING_WAIT_MS: int(60_000),
  WHIRL_LIMIT_SEQUENCE_LENGTH: int(50),

  /** How often each API process looks for due schedule ticks (ms). */
  WHIRL_SCHEDULE_POLL_MS: int(1000),
  /** A tick found at most this late (ms) is on time; older ones are "missed". */
  WHIRL_SCHEDULE_TOLERANCE_MS: int(30_000),
  /** Missed ticks: `skip` them, fire only the `latest`, or fire `all` (at most WHIRL_SCHEDULE_MAX_CATCH_UP). */
  WHIRL_SCHEDULE_MISSED: z.enum(['skip', 'latest', 'all']).default('latest'),
  WHIRL_SCHEDULE_MAX_CATCH_UP: int(100),
  /** Redis-stream feed: poll interval, and how long a message may stay unacknowledged before another try (ms). */
  WHIRL_STREAM_POLL_MS: int(200),
  WHIRL_STREAM_RETRY_MS: int(30_000),
  /**
   * Composition engine: how often steps still pending are looked up in the activation store (completions travel
   * best effort; after an engine restart this is how finished steps are found), in ms.
   */
  WHIRL_COMPOSITION_POLL_MS: int(2_000),
  /** How long a replayable transition's snapshot waits to coalesce with the next ones (ms; docs/compositions.md). */
  WHIRL_COMPOSITION_SAVE_DELAY_MS: int(20),
  /**
   * Composition limits (docs/compositions.md "Limits"): the highest loop bound (`maxIterations`, `repeat.times`),
   * items per `map`, node nesting in a definition and chain of child executions, and the largest step result /
   * execution input and execution state in bytes (Step Functions' 256 KiB). Literal values beyond them are refused
   * at deploy; crossing one at run time fails the execution.
   */
  WHIRL_COMPOSITION_MAX_ITERATIONS: int(1_000_000),
  WHIRL_COMPOSITION_MAX_MAP_ITEMS: int(100_000),
  WHIRL_COMPOSITION_MAX_NESTING: int(64),
  WHIRL_COMPOSITION_MAX_RESULT_BYTES: int(262_144),
  WHIRL_COMPOSITION_MAX_STATE_BYTES: int(262_144),

  /**
   * The longest a graceful stop (SIGTERM, SIGINT) takes, whatever the store or queue does (ms): in-flight work is
   * finished and records stored meanwhile; at the bound, records still unstored are logged by activation id and the
   * process exits.
   */
  WHIRL_SHUTDOWN_TIMEOUT_MS: int(10_000),
  /** Print the guest key at startup (the embedded default does). */
  WHIRL_PRINT_KEY: bool(true),
  /** Prometheus metrics at `/metrics` (docs/metrics.md); off = nothing recorded, `/metrics` empty. */
  WHIRL_METRICS: bool(true),
  /** An invoker-only process (WHIRL_ROLE=invoker) serves `/metrics` on this port; 0 = not at all. */
  WHIRL_METRICS_PORT: int(0),

  /**
   * Per-namespace throttles (docs/throttles.md), 0 = unlimited (the default, unlike OpenWhisk's 60/min, 30, 60/min,
   * so benchmarks and tests are not throttled). `WHIRL_THROTTLE_NAMESPACES` overrides them per namespace, as JSON:
   * `{"guest":{"invocationsPerMinute":120,"concurrentInvocations":30,"firesPerMinute":60}}`.
   */
  WHIRL_THROTTLE_INVOCATIONS_PER_MINUTE: int(0),
  WHIRL_THROTTLE_CONCURRENT_INVOCATIONS: int(0),
  WHIRL_THROTTLE_FIRES_PER_MINUTE: int(0),
  WHIRL_THROTTLE_NAMESPACES: z
    .string()
    .default('{}')
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(
      z.record(
        z.string(),
        z
          .object({
            invocationsPerMinute: z.number().int().min(0).optional(),
            concurrentInvocations: z.number().int().min(0).optional(),
            firesPerMinute: z.number().int().min(0).optional(),
          })
          .strict(),
      ),
    ),
  /** Webhook triggers (docs/webhooks.md): whether this API process fires accepted deliveries, and their windows. */
  WHIRL_WEBHOOK_WORKER: bool(true),
  /** Stripe-style timestamped signatures older or newer than this (seconds) are refused. */
  WHIRL_WEBHOOK_TOLERANCE_S: int(300),
  /** How long a delivery id / signature is remembered to refuse replays (seconds). */
  WHIRL_WEBHOOK_REPLAY_WINDOW_S: int(86_400),
  /** Authentication (docs/isolation.md, "Keys"): how long a verified key is trusted without scrypt (ms). */
  WHIRL_AUTH_CACHE_TTL_MS: int(10_000),
  /** Failed authentications allowed per minute, per client address and per subject uuid, before 429. */
  WHIRL_AUTH_FAILURES_PER_MINUTE: int(30),
});

export type Env = z.infer<typeof EnvSchema>;
