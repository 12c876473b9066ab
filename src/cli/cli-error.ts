/**
 * Exit codes of the `whirl` CLI (docs/cli.md lists them). The values that `wsk` defines keep wsk's numbers
 * (148 not found, 202 not finished in time) so scripts written against `wsk` read the same codes.
 */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** The activation or execution ran and did not succeed (application, developer or internal error). */
  FAILED: 1,
  /** Bad command line: unknown command or flag, missing argument, unreadable file, no AUTH configured. */
  USAGE: 2,
  /** The API host could not be reached (refused, DNS, TLS, or no answer within the client timeout). */
  NETWORK: 3,
  /** The API answered with an error status other than the ones below (400, 409, 413, 429, 5xx, …). */
  API: 4,
  /** The API refused the credentials (401) or the namespace (403). */
  AUTH: 5,
  /** Interrupted by SIGINT. */
  INTERRUPTED: 130,
  /** The entity or activation does not exist (404), as `wsk`. */
  NOT_FOUND: 148,
  /** A blocking call was accepted but did not finish within the wait; it carries on (202), as `wsk`. */
  NOT_FINISHED: 202,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports to the user and turns into an exit code; never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    /** What the API said, when the error came from it: HTTP status and transaction id (`code`). */
    readonly api?: { status: number; code?: string | undefined; body?: unknown },
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.USAGE);
}

/** The exit code for an API error status. */
export function exitCodeForStatus(status: number): ExitCodeValue {
  if (status === 401 || status === 403) return ExitCode.AUTH;
  if (status === 404) return ExitCode.NOT_FOUND;
  return ExitCode.API;
}
