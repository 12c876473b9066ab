import type { FastifyInstance } from 'fastify';
import { ActionPutSchema, ActionSchema } from './action.js';
import { ActivationIdSchema, ActivationResponseSchema, ActivationSchema } from './activation.js';
import { ErrorResponseSchema } from './error-response.js';
import { KeyValueListSchema, KeyValueSchema } from './key-value.js';

/** Shared schemas, added once on the root so every route can `$ref` them by `$id`. */
export function registerSchemas(app: FastifyInstance): void {
  for (const schema of [
    KeyValueSchema,
    KeyValueListSchema,
    ErrorResponseSchema,
    ActionSchema,
    ActionPutSchema,
    ActivationResponseSchema,
    ActivationSchema,
    ActivationIdSchema,
  ]) {
    app.addSchema(schema);
  }
}
