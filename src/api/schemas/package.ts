/** Package shapes (`E/WhiskPackage.scala`, swagger `Package`/`PackagePut`). */
const BindingSchema = {
  type: 'object',
  properties: { namespace: { type: 'string' }, name: { type: 'string' } },
} as const;

const PackageActionSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    annotations: { $ref: 'KeyValueList#' },
    parameters: { $ref: 'KeyValueList#' },
  },
} as const;

/** GET/PUT/DELETE answer; `actions` and `feeds` only on GET. */
export const PackageResponseSchema = {
  type: 'object',
  required: ['namespace', 'name', 'version', 'publish', 'annotations', 'parameters', 'binding', 'updated'],
  properties: {
    namespace: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    publish: { type: 'boolean' },
    annotations: { $ref: 'KeyValueList#' },
    parameters: { $ref: 'KeyValueList#' },
    binding: BindingSchema,
    actions: { type: 'array', items: PackageActionSchema },
    feeds: { type: 'array', items: PackageActionSchema },
    updated: { type: 'integer' },
  },
} as const;

/** PUT body: any subset; unknown fields (clients send `name`, `namespace`) are ignored. */
export const PackagePutSchema = {
  type: 'object',
  properties: {
    parameters: { $ref: 'KeyValueList#' },
    annotations: { $ref: 'KeyValueList#' },
    publish: { type: 'boolean' },
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
    binding: {
      type: 'object',
      properties: { namespace: { type: 'string' }, name: { type: 'string' } },
    },
  },
} as const;

export interface PackagePutBody {
  parameters?: Array<{ key: string; value: unknown; init?: boolean }>;
  annotations?: Array<{ key: string; value: unknown }>;
  publish?: boolean;
  version?: string;
  binding?: { namespace?: string; name?: string };
}
