import { type ErrorCode, ErrorCodes } from './codes.js';

/**
 * The only error type code throws on purpose. The API turns it into OpenWhisk's `{error, code}` body with the
 * registry's status; anything else becomes a 500 with no detail leaked.
 */
export class WhirlError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    args: ReadonlyArray<string | number> = [],
    options?: { cause?: unknown },
  ) {
    super(format(ErrorCodes[code].message, args), options);
    this.name = 'WhirlError';
    this.status = ErrorCodes[code].status;
  }
}

function format(template: string, args: ReadonlyArray<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? m : String(v);
  });
}

export function isWhirlError(e: unknown, code?: ErrorCode): e is WhirlError {
  return e instanceof WhirlError && (code === undefined || e.code === code);
}
