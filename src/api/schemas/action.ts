/**
 * Action shapes (`E/WhiskAction.scala`, swagger `Action`/`ActionPut`). `exec` lists every variant's fields
 * (code kinds, blackbox, sequence) so one serialiser covers them all; absent fields are omitted.
 */
const LimitsSchema = {
  type: 'object',
  properties: {
    timeout: { type: 'integer' },
    memory: { type: 'integer' },
    logs: { type: 'integer' },
    concurrency: { type: 'integer' },
  },
} as const;

const ExecSchema = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string' },
    code: { type: 'string' },
    image: { type: 'string' },
    binary: { type: 'boolean' },
    main: { type: 'string' },
    components: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const ActionSchema = {
  $id: 'Action',
  type: 'object',
  required: ['namespace', 'name', 'version', 'publish', 'exec', 'parameters', 'annotations', 'limits', 'updated'],
  properties: {
    namespace: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    publish: { type: 'boolean' },
    exec: ExecSchema,
    parameters: { $ref: 'KeyValueList#' },
    annotations: { $ref: 'KeyValueList#' },
    limits: LimitsSchema,
    updated: { type: 'integer' },
  },
} as const;

/** PUT body: any subset; unknown fields (clients send `name`, `namespace`) are ignored. `binary` is inferred. */
export const ActionPutSchema = {
  $id: 'ActionPut',
  type: 'object',
  properties: {
    exec: ExecSchema,
    parameters: { $ref: 'KeyValueList#' },
    annotations: { $ref: 'KeyValueList#' },
    limits: LimitsSchema,
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
    publish: { type: 'boolean' },
    delAnnotations: { type: 'array', items: { type: 'string' } },
  },
} as const;

export interface ActionPutBody {
  exec?: {
    kind: string;
    code?: string;
    image?: string;
    main?: string;
    components?: string[];
  };
  parameters?: Array<{ key: string; value: unknown; init?: boolean }>;
  annotations?: Array<{ key: string; value: unknown }>;
  limits?: Partial<Record<'timeout' | 'memory' | 'logs' | 'concurrency', number>>;
  version?: string;
  publish?: boolean;
  delAnnotations?: string[];
}
