import { type ActivationRecord, StatusCode } from '../../domain/activation.js';

/** What metrics take from one activation record. */
export interface RecordSample {
  kind: string;
  status: 'success' | 'application_error' | 'developer_error' | 'internal_error';
  durationMs?: number;
  waitMs?: number;
  initMs?: number;
  /** Set only for activations that reached a container (the record has `waitTime`): cold iff it has `initTime`. */
  start?: 'cold' | 'warm';
}

/** Status label values follow OpenWhisk's user-events metrics (`openwhisk_action_status`). */
const STATUS = {
  [StatusCode.Success]: 'success',
  [StatusCode.ApplicationError]: 'application_error',
  [StatusCode.DeveloperError]: 'developer_error',
  [StatusCode.WhiskError]: 'internal_error',
} as const;

/** Labels and timings of a record, tolerating anything missing or malformed (the kind is then `unknown`). */
export function recordSample(record: ActivationRecord): RecordSample {
  const annotations = Array.isArray(record.annotations) ? record.annotations : [];
  const annotation = (key: string): unknown => annotations.find((a) => a?.key === key)?.value;
  const ms = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const kind = annotation('kind');
  const status = STATUS[record.response?.statusCode as StatusCode] ?? 'internal_error';
  const sample: RecordSample = { kind: typeof kind === 'string' && kind !== '' ? kind : 'unknown', status };
  const durationMs = ms(record.duration);
  const waitMs = ms(annotation('waitTime'));
  const initMs = ms(annotation('initTime'));
  if (durationMs !== undefined) sample.durationMs = durationMs;
  if (waitMs !== undefined) sample.waitMs = waitMs;
  if (initMs !== undefined) sample.initMs = initMs;
  if (waitMs !== undefined) sample.start = initMs !== undefined ? 'cold' : 'warm';
  return sample;
}
