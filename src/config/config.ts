import type { RuntimeManifest } from '../domain/exec.js';
import type { SystemLimits } from '../domain/limits.js';

/** Resolved configuration: what every module receives. Built by `load.ts` from the environment schema. */
export interface Config {
  role: 'all' | 'api' | 'invoker';
  /** Redis, wherever it is used (the BullMQ queue, `coordination: redis`): one set of connection options. */
  redis: { url: string; connectTimeoutMs: number };
  /**
   * Where processes share state (src/config/topology.ts): the invoker registry, throttle counters, feeds, the
   * webhook inbox and the composition engine's ownership all read `mode`.
   */
  coordination: { mode: 'redis' | 'store' | 'local' };
  http: { host: string; port: number; apiHost: string };
  logLevel: string;
  queue: {
    adapter: 'file' | 'memory' | 'bullmq' | 'kafka';
    name: string;
    lockMs: number;
    stalledCheckMs: number;
    kafka: { brokers: string[]; partitions: number; sessionTimeoutMs: number };
  };
  store: {
    adapter: 'memory' | 'file' | 'couchdb';
    dataDir: string;
    couchdbUrl: string;
    couchdbPrefix: string;
    batchSize: number;
    batchDelayMs: number;
    bufferMax: number;
  };
  invoker: {
    containers: 'process' | 'docker';
    /** Python 3 for python kinds in process containers. */
    python: string;
    dockerSocket: string;
    id: string;
    concurrency: number;
    memoryMB: number;
    idleContainerMs: number;
    network: string;
    /** Stem cells per kind and memory (issue 3). */
    prewarm: Array<{ kind: string; memoryMB: number; count: number }>;
    /** Undefined: never pause. */
    pauseGraceMs: number | undefined;
    heartbeatMs: number;
    deadMs: number;
    forgetMs: number;
  };
  runtimes: RuntimeManifest[];
  guest: { namespace: string; uuid: string; key: string };
  limits: SystemLimits;
  printKey: boolean;
  /** Bound on a graceful stop (ms). */
  shutdownTimeoutMs: number;
  /** Built-in feeds: where schedules and stream subscriptions live, and how ticks and messages are polled. */
  feeds: {
    schedulePollMs: number;
    toleranceMs: number;
    missed: 'skip' | 'latest' | 'all';
    maxCatchUp: number;
    streamPollMs: number;
    streamRetryMs: number;
  };
  metrics: { enabled: boolean; invokerPort: number };
  compositions: {
    pollMs: number;
    saveDelayMs: number;
    /** Bounds on executions (src/engine/composition/limits.ts). */
    limits: { maxIterations: number; maxMapItems: number; maxNesting: number; maxResultBytes: number; maxStateBytes: number };
  };
  /** Per-namespace throttles; 0 = unlimited (src/engine/throttles). */
  throttles: {
    invocationsPerMinute: number;
    concurrentInvocations: number;
    firesPerMinute: number;
    namespaces: Record<string, { invocationsPerMinute?: number; concurrentInvocations?: number; firesPerMinute?: number }>;
  };
  webhooks: { worker: boolean; toleranceSec: number; replayWindowSec: number };
  /** Verified-key cache and failed-attempt limits (src/api/auth/authenticator.ts). */
  auth: { cacheTtlMs: number; failuresPerMinute: number };
}
