import { makeResponse, type ActivationRecord, type StatusCode } from '../domain/activation.js';
import type { ActivationMessage } from '../domain/activation-message.js';
import type { KeyValue } from '../domain/key-value.js';

/** Everything a record needs beyond the message. */
export interface RecordFacts {
  start: number;
  end: number;
  statusCode: StatusCode;
  result: unknown;
  size?: number;
  timedOut: boolean;
  initTime?: number;
  /** When the activation got its container (waitTime ends here). */
  readyAt: number;
}

/** Builds the activation record with OpenWhisk's annotations (`ContainerProxy.constructWhiskActivation`). Pure. */
export function buildRecord(msg: ActivationMessage, f: RecordFacts): ActivationRecord {
  const annotations: KeyValue[] = [
    { key: 'path', value: `${msg.action.namespace}/${msg.action.name}` },
    { key: 'waitTime', value: Math.max(0, f.readyAt - msg.acceptedAt) },
    { key: 'kind', value: msg.action.exec.kind },
    { key: 'timeout', value: f.timedOut },
    { key: 'limits', value: msg.action.limits },
  ];
  if (f.initTime !== undefined) annotations.push({ key: 'initTime', value: f.initTime });
  annotations.push(...(msg.recordAnnotations ?? []));
  const response = makeResponse(f.statusCode, f.result);
  if (f.size !== undefined) response.size = f.size;
  const record: ActivationRecord = {
    namespace: msg.namespace,
    name: pathInNamespace(msg),
    version: msg.action.version,
    subject: msg.subject,
    activationId: msg.activationId,
    start: f.start,
    end: f.end,
    duration: f.end - f.start,
    response,
    logs: [],
    annotations,
    publish: false,
  };
  if (msg.cause !== undefined) record.cause = msg.cause;
  return record;
}

/** A record for an activation that never reached its action's code (or whose invoker was lost). */
export function failureRecord(msg: ActivationMessage, now: number, statusCode: StatusCode, error: string): ActivationRecord {
  return buildRecord(msg, { start: now, end: now, statusCode, result: { error }, timedOut: false, readyAt: now });
}

/** The record's `name`: `pkg/action` for packaged actions, else `action`. */
function pathInNamespace(msg: ActivationMessage): string {
  const slash = msg.action.namespace.indexOf('/');
  return slash < 0 ? msg.action.name : `${msg.action.namespace.slice(slash + 1)}/${msg.action.name}`;
}
