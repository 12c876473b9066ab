import { isRecord, StatusCode } from '../domain/activation.js';
import { MAX_JSON_DEPTH, nestingDepth } from '../domain/json-depth.js';
import type { RuntimeResult } from '../ports/container-factory.js';

/**
 * How a runtime's answer becomes an activation outcome (OpenWhisk's `ActivationResult.processRunResponseContent`
 * and `ContainerProxy` failure rules). Pure.
 */
export interface RunOutcome {
  statusCode: StatusCode;
  result: unknown;
  /** Size in bytes of the result as the runtime sent it. */
  size?: number;
  /** The container must not be reused (developer or whisk error, timeout, crash, OOM). */
  destroyContainer: boolean;
  timedOut: boolean;
}

export const Messages = {
  initFailed: (body: string) => `The action failed during initialization: ${body}`,
  initExited: 'The action did not initialize and exited unexpectedly.',
  runExited: 'The action did not produce a valid response and exited unexpectedly.',
  memoryExhausted: 'The action exhausted its memory and was aborted.',
  timedOut: (ms: number, init: boolean) =>
    `The action exceeded its time limits of ${ms} milliseconds${init ? ' during initialization' : ''}.`,
  notJson: (body: string) => `The action did not produce a valid JSON or JSON Array response: ${body}`,
  tooLarge: (size: number, max: number, truncated: string) =>
    `The action produced a response that exceeded the allowed length: ${size} > ${max} bytes. The truncated response was: ${truncated}`,
  invokerLost: 'The invoker running this activation stopped before it completed; the action may have partially run.',
  containerFailed: (why: string) => `Failed to start a container for the action: ${why}`,
  tooDeep: (max: number) =>
    `The action produced a result nested deeper than ${max} levels, which cannot be stored or returned.`,
  notStorable: (why: string) => `The activation's record could not be stored: ${why}`,
} as const;

export function interpretInit(r: RuntimeResult, ctx: { timeoutMs: number; oom: boolean }): RunOutcome | undefined {
  if (r.kind === 'response' && r.statusCode === 200) return undefined;
  if (ctx.oom) return developerError(Messages.memoryExhausted, false);
  if (r.kind === 'timeout') return developerError(Messages.timedOut(ctx.timeoutMs, true), true);
  if (r.kind === 'connection-error') return developerError(Messages.initExited, false);
  const parsed = tryParse(r.body);
  const detail = isRecord(parsed) && 'error' in parsed ? parsed.error : r.body;
  return developerError(typeof detail === 'string' ? Messages.initFailed(detail) : detail, false);
}

export function interpretRun(
  r: RuntimeResult,
  ctx: { timeoutMs: number; oom: boolean; maxResultBytes: number },
): RunOutcome {
  if (ctx.oom) return developerError(Messages.memoryExhausted, false);
  if (r.kind === 'timeout') return developerError(Messages.timedOut(ctx.timeoutMs, false), true);
  if (r.kind === 'connection-error') return developerError(Messages.runExited, false);
  const size = Buffer.byteLength(r.body);
  if (size > ctx.maxResultBytes) {
    return {
      statusCode: StatusCode.ApplicationError,
      result: { error: Messages.tooLarge(size, ctx.maxResultBytes, r.body.slice(0, ctx.maxResultBytes)) },
      size,
      destroyContainer: false,
      timedOut: false,
    };
  }
  // Checked once here, where the result is accepted: every later serialisation (store, queue, HTTP) can then rely
  // on it. One pass over the bytes, before parsing.
  if (nestingDepth(r.body) > MAX_JSON_DEPTH) return { ...developerError(Messages.tooDeep(MAX_JSON_DEPTH), false), size };
  const parsed = tryParse(r.body);
  const isJson = isRecord(parsed) || Array.isArray(parsed);
  if (r.statusCode === 200 && isJson) {
    const failed = isRecord(parsed) && 'error' in parsed;
    return {
      statusCode: failed ? StatusCode.ApplicationError : StatusCode.Success,
      result: parsed,
      size,
      destroyContainer: false,
      timedOut: false,
    };
  }
  if (isRecord(parsed) && 'error' in parsed) return { ...developerError(parsed.error, false), size };
  return { ...developerError(Messages.notJson(r.body), false), size };
}

function developerError(error: unknown, timedOut: boolean): RunOutcome {
  return { statusCode: StatusCode.DeveloperError, result: { error }, destroyContainer: true, timedOut };
}

function tryParse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
