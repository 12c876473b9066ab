import type { NodeType } from '../../domain/composition.js';

/**
 * The fields each object of the document may have: exactly the `properties` of `schemas/composition.schema.json`
 * (every object there is `additionalProperties: false`), kept in step with it by test/unit/composition/
 * composition-validate.test.ts — so the server refuses what the published schema refuses, naming the field.
 */
const COMMON = ['type', 'id', 'input', 'result', 'output', 'timeoutMs', 'retry'] as const;

export const NODE_FIELDS: Record<NodeType, readonly string[]> = {
  task: [...COMMON, 'action', 'composition', 'actionFrom'],
  sequence: [...COMMON, 'steps'],
  choice: [...COMMON, 'branches', 'otherwise'],
  parallel: [...COMMON, 'branches'],
  map: [...COMMON, 'items', 'concurrency', 'do'],
  while: [...COMMON, 'condition', 'do', 'maxIterations'],
  doWhile: [...COMMON, 'condition', 'do', 'maxIterations'],
  repeat: [...COMMON, 'times', 'do'],
  try: [...COMMON, 'do', 'catch', 'finally'],
  wait: [...COMMON, 'ms', 'until'],
  pass: [...COMMON, 'value'],
  set: [...COMMON, 'vars'],
  succeed: [...COMMON, 'value'],
  fail: [...COMMON, 'error', 'cause'],
};

export const DOCUMENT_FIELDS = ['whirl', 'vars', 'timeoutMs', 'root'] as const;
export const RETRY_FIELDS = ['maxAttempts', 'intervalMs', 'backoffRate', 'maxDelayMs', 'jitter', 'errors'] as const;
export const BRANCH_FIELDS = ['when', 'do'] as const;
export const HANDLER_FIELDS = ['errors', 'do'] as const;

/** Fields of `obj` not in `allowed`. */
export function unknownFields(obj: object, allowed: readonly string[]): string[] {
  return Object.keys(obj).filter((k) => !allowed.includes(k));
}
