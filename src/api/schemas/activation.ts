/** Activation shapes as served (`WhiskActivation.toExtendedJson`, `ActivationResponse.toExtendedJson`). */
export const ActivationResponseSchema = {
  $id: 'ActivationResponse',
  type: 'object',
  required: ['status', 'success', 'result'],
  properties: {
    status: { type: 'string' },
    success: { type: 'boolean' },
    result: {},
    size: { type: 'integer' },
  },
} as const;

export const ActivationSchema = {
  $id: 'Activation',
  type: 'object',
  required: ['namespace', 'name', 'version', 'subject', 'activationId', 'start', 'end', 'duration', 'response',
    'logs', 'annotations', 'publish'],
  properties: {
    namespace: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    subject: { type: 'string' },
    activationId: { type: 'string' },
    start: { type: 'integer' },
    end: { type: 'integer' },
    duration: { type: 'integer' },
    cause: { type: 'string' },
    response: { $ref: 'ActivationResponse#' },
    logs: { type: 'array', items: { type: 'string' } },
    annotations: { $ref: 'KeyValueList#' },
    publish: { type: 'boolean' },
  },
} as const;

export const ActivationIdSchema = {
  $id: 'ActivationIdResponse',
  type: 'object',
  required: ['activationId'],
  properties: { activationId: { type: 'string' } },
} as const;
