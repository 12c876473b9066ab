/** OpenWhisk `[{key, value}]` entries (parameters and annotations). `value` is any JSON. */
export const KeyValueSchema = {
  $id: 'KeyValue',
  type: 'object',
  required: ['key'],
  properties: {
    key: { type: 'string' },
    value: {},
    init: { type: 'boolean' },
  },
} as const;

export const KeyValueListSchema = {
  $id: 'KeyValueList',
  type: 'array',
  items: { $ref: 'KeyValue#' },
} as const;
