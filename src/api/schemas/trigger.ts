/** Trigger and rule shapes (`E/WhiskTrigger.scala`, `E/WhiskRule.scala`). */
const RefSchema = {
  type: 'object',
  required: ['path', 'name'],
  properties: { path: { type: 'string' }, name: { type: 'string' } },
} as const;

export const TriggerResponseSchema = {
  type: 'object',
  required: ['namespace', 'name', 'version', 'publish', 'annotations', 'parameters', 'limits', 'updated'],
  properties: {
    namespace: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    publish: { type: 'boolean' },
    annotations: { $ref: 'KeyValueList#' },
    parameters: { $ref: 'KeyValueList#' },
    limits: { type: 'object', additionalProperties: true },
    rules: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { action: RefSchema, status: { type: 'string' } },
      },
    },
    updated: { type: 'integer' },
  },
} as const;

export const TriggerPutSchema = {
  type: 'object',
  properties: {
    parameters: { $ref: 'KeyValueList#' },
    annotations: { $ref: 'KeyValueList#' },
    publish: { type: 'boolean' },
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
  },
} as const;

export interface TriggerPutBody {
  parameters?: Array<{ key: string; value: unknown }>;
  annotations?: Array<{ key: string; value: unknown }>;
  publish?: boolean;
  version?: string;
}

export const RuleResponseSchema = {
  type: 'object',
  required: ['namespace', 'name', 'version', 'publish', 'annotations', 'status', 'trigger', 'action', 'updated'],
  properties: {
    namespace: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    publish: { type: 'boolean' },
    annotations: { $ref: 'KeyValueList#' },
    status: { type: 'string' },
    trigger: RefSchema,
    action: RefSchema,
    updated: { type: 'integer' },
  },
} as const;

/** `trigger` and `action` are fully qualified names (`/_/t`, `/ns/pkg/a`) or relative ones. */
export const RulePutSchema = {
  type: 'object',
  properties: {
    trigger: { type: 'string' },
    action: { type: 'string' },
    annotations: { $ref: 'KeyValueList#' },
    publish: { type: 'boolean' },
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
    status: { type: 'string', enum: ['active', 'inactive', ''] },
  },
} as const;

export interface RulePutBody {
  trigger?: string;
  action?: string;
  annotations?: Array<{ key: string; value: unknown }>;
  publish?: boolean;
  version?: string;
  status?: 'active' | 'inactive' | '';
}

export const RuleStatusSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['active', 'inactive'] } },
} as const;
