/**
 * Everything the CLI touches outside itself, injected so tests and the bin entry decide: streams, environment,
 * home directory and working directory. `src/cli` never reads `process.*` directly.
 */
export interface WritableLike {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
}

export interface CliIo {
  stdout: WritableLike;
  stderr: WritableLike;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  cwd: string;
  /** The package version, for `--version`, help and the User-Agent. */
  version?: string;
  /** Registers a SIGINT handler for long waits (poll); returns the unregister function. */
  onInterrupt?: (handler: () => void) => () => void;
}
