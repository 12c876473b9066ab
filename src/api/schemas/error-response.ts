/** The only error body Whirl serves (OpenWhisk `ErrorResponse`): `code` is the transaction id. */
export const ErrorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string' },
    code: { type: 'string' },
  },
  additionalProperties: false,
} as const;

/** Spread into a route's `response` schema so error bodies are serialised (and trimmed) by the same schema. */
export const errorResponses = {
  '4xx': { $ref: 'ErrorResponse#' },
  '5xx': { $ref: 'ErrorResponse#' },
} as const;
