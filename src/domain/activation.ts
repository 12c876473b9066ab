import type { ActivationId } from './ids.js';
import type { KeyValue } from './key-value.js';

/** OpenWhisk's status codes (`ActivationResponse`): 0 success … 3 whisk internal error. */
export const StatusCode = {
  Success: 0,
  ApplicationError: 1,
  DeveloperError: 2,
  WhiskError: 3,
} as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export const STATUS_TEXT: Record<StatusCode, string> = {
  0: 'success',
  1: 'application error',
  2: 'action developer error',
  3: 'whisk internal error',
};

/** The response as stored. `statusCode` is stripped when served; `status`/`success` are derived. */
export interface StoredResponse {
  statusCode: StatusCode;
  result?: unknown;
  size?: number;
}

/** An activation record as stored (`WhiskActivation.scala`). */
export interface ActivationRecord {
  namespace: string;
  /** `pkg/action` or `action`. */
  name: string;
  version: string;
  subject: string;
  activationId: ActivationId;
  start: number;
  end: number;
  duration: number;
  response: StoredResponse;
  logs: string[];
  annotations: KeyValue[];
  cause?: string;
  publish: boolean;
}

/** Non-success results are reduced to `{error}`, as OpenWhisk does (`ActivationResponse.applicationError`). */
export function makeResponse(statusCode: StatusCode, result: unknown): StoredResponse {
  if (statusCode === StatusCode.Success) return { statusCode, result };
  const error = isRecord(result) && 'error' in result ? result.error : result;
  return { statusCode, result: { error } };
}

/** `{status, success, result, size?}`: the response as every GET and blocking invoke serves it. */
export function servedResponse(r: StoredResponse): Record<string, unknown> {
  const out: Record<string, unknown> = {
    status: STATUS_TEXT[r.statusCode],
    success: r.statusCode === StatusCode.Success,
    result: r.result ?? {},
  };
  if (r.size !== undefined) out.size = r.size;
  return out;
}

/** The full record with its served response (`toExtendedJson`). */
export function servedRecord(rec: ActivationRecord): Record<string, unknown> {
  return { ...rec, response: servedResponse(rec.response) };
}

/** List summary when `docs=false` (`summaryAsJson`): top-level `statusCode`, no response, no logs. */
export function recordSummary(rec: ActivationRecord): Record<string, unknown> {
  const { response, logs: _logs, ...rest } = rec;
  return { ...rest, statusCode: response.statusCode };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
