/**
 * Where actions run: a Docker engine, or local child processes in the embedded default. Both speak the same
 * OpenWhisk runtime protocol (`POST /init`, `POST /run` on the proxy) and the same log sentinel framing.
 *
 * Container manipulation (pause/resume/destroy) is NOT safe to interleave: the caller (the invoker's pool)
 * serialises operations per container.
 */
export interface ContainerFactory {
  /** Creates and starts a container; resolves once it is started (not necessarily listening yet). */
  create(spec: ContainerSpec): Promise<Container>;
  /** Removes containers a previous run of this invoker left behind (matched by `namePrefix`). */
  cleanup(namePrefix: string): Promise<void>;
  close(): Promise<void>;
}

export interface ContainerSpec {
  /** Unique, starts with the invoker's prefix so `cleanup` finds leftovers. */
  name: string;
  /** Runtime image (for `process` containers: the runtime's family, e.g. `nodejs`). */
  image: string;
  kind: string;
  memoryMB: number;
  /** Extra environment for the container process (e.g. `__OW_API_HOST`). */
  env: Record<string, string>;
  network: boolean;
  /** Allowed concurrent `/run`s (sets `__OW_ALLOW_CONCURRENT` when > 1). */
  concurrency: number;
}

export interface Container {
  readonly id: string;
  readonly name: string;
  /** `POST /init`. Connection failures are retried until `timeoutMs` (the runtime may still be booting). */
  init(body: unknown, timeoutMs: number): Promise<RuntimeResult>;
  /** `POST /run`. */
  run(body: unknown, timeoutMs: number): Promise<RuntimeResult>;
  /**
   * Optional: waits (up to `timeoutMs`) until the runtime answers a request that runs nothing and prints nothing,
   * leaving a warm keep-alive connection behind. Prewarmed stem cells use it so the first `/init` pays neither the
   * connection nor the runtime's cold HTTP path. Resolves false if the runtime never answered.
   */
  warmUp?(timeoutMs: number): Promise<boolean>;
  /**
   * Log lines written since the previous call, formatted `"<ISO time> stdout|stderr: text"`.
   * With `waitForSentinels`, waits (up to `waitMs`) until the runtime printed the end-of-activation sentinel on
   * both streams; sentinel lines are removed. Output past `limitBytes` is dropped and `truncated` is set.
   */
  collectLogs(options: { waitForSentinels: boolean; limitBytes: number; waitMs: number }): Promise<CollectedLogs>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Whether the engine killed the container for exceeding its memory limit. */
  oomKilled(): Promise<boolean>;
  destroy(): Promise<void>;
}

export type RuntimeResult =
  | {
      kind: 'response';
      statusCode: number;
      body: string;
      durationMs: number;
      /**
       * The runtime printed nothing during this activation and so wrote no sentinels (`x-whirl-logs: none`, a Whirl
       * extension of the runtime protocol): there are no logs to wait for. Runtimes that don't send the header
       * always print sentinels.
       */
      quiet?: boolean;
    }
  | { kind: 'timeout'; durationMs: number }
  | { kind: 'connection-error'; message: string; durationMs: number };

export interface CollectedLogs {
  lines: string[];
  truncated: boolean;
}

/** Printed by runtimes as the last line on stdout and on stderr after each activation. */
export const LOG_SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';
