import type { FastifyPluginAsync } from 'fastify';
import { StatusCode, servedRecord, servedResponse } from '../../../domain/activation.js';
import type { Composition } from '../../../domain/composition.js';
import { isValidName } from '../../../domain/names.js';
import type { CompositionEngine } from '../../../engine/composition/engine.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { ExecutionDoc } from '../../../ports/execution-store.js';
import { type CompositionPutBody, composeComposition } from '../../compositions/compose-composition.js';
import type { ApiDeps } from '../../deps.js';
import { ListQueryProperties, listPage } from '../../list-page.js';
import { methodNotAllowed } from '../../method-not-allowed.js';
import { CompositionPutSchema } from '../../schemas/composition.js';
import { errorResponses } from '../../schemas/error-response.js';

/**
 * `/namespaces/{ns}/compositions…`, a Whirl extension: create/update/get/list/delete compositions, invoke them like
 * actions (blocking or not; the answer carries the execution's activation id), and read an execution's status and
 * history, or cancel it. See docs/compositions.md.
 */
export interface CompositionRoutesOptions {
  deps: ApiDeps;
  engine: CompositionEngine;
}

interface NameParams {
  ns: string;
  name: string;
}
interface ExecParams extends NameParams {
  id: string;
}

const nameParams = {
  type: 'object',
  required: ['ns', 'name'],
  properties: { ns: { type: 'string' }, name: { type: 'string' } },
} as const;
const execParams = {
  type: 'object',
  required: ['ns', 'name', 'id'],
  properties: { ns: { type: 'string' }, name: { type: 'string' }, id: { type: 'string' } },
} as const;

export const compositionRoutes: FastifyPluginAsync<CompositionRoutesOptions> = async (scope, { deps, engine }) => {
  const { entities, clock, config } = deps;

  scope.get<{ Querystring: { limit?: number; skip?: number; count?: boolean } }>(
    '/:ns/compositions',
    { schema: { querystring: { type: 'object', properties: ListQueryProperties }, response: errorResponses } },
    async (request) => {
      const { limit, skip, count } = request.query;
      const ns = request.identity.namespace;
      // Validated even with `count`, like the other collections (an out-of-range limit is 400 either way).
      const page = listPage(limit, skip, 'compositions');
      if (count) return { compositions: await entities.count('compositions', ns) };
      const list = await entities.list<Composition>('compositions', ns, page);
      return list.map(({ definition: _d, ...summary }) => summary);
    },
  );
  methodNotAllowed(scope, '/:ns/compositions', ['GET']);

  scope.get<{ Params: NameParams }>('/:ns/compositions/:name', { schema: { params: nameParams, response: errorResponses } }, async (request) =>
    load(request.identity.namespace, request.params.name),
  );

  scope.put<{ Params: NameParams; Querystring: { overwrite?: boolean }; Body: CompositionPutBody | undefined }>(
    '/:ns/compositions/:name',
    {
      schema: {
        params: nameParams,
        querystring: { type: 'object', properties: { overwrite: { type: 'boolean' } } },
        body: CompositionPutSchema,
        response: errorResponses,
      },
    },
    async (request) => {
      const ns = request.identity.namespace;
      const { name } = request.params;
      if (!isValidName(name)) throw new WhirlError('WHIRL_INVALID_NAME', [name]);
      const existing = await entities.get<Composition>('compositions', ns, name);
      if (existing && request.query.overwrite !== true) throw new WhirlError('WHIRL_CONFLICT');
      const body = request.body ?? {};
      if (!existing && body.definition === undefined && body.asl === undefined) throw new WhirlError('WHIRL_COMPOSITION_INVALID', ['/definition: is required']);
      const composition = await composeComposition(entities, {
        namespace: ns,
        name,
        body,
        ...(existing ? { existing: existing.doc } : {}),
        now: clock.now(),
        limits: config.compositions.limits,
      });
      return (await entities.put('compositions', composition, existing?.rev)).doc;
    },
  );

  scope.delete<{ Params: NameParams }>('/:ns/compositions/:name', { schema: { params: nameParams, response: errorResponses } }, async (request) => {
    const ns = request.identity.namespace;
    const existing = await entities.get<Composition>('compositions', ns, request.params.name);
    if (!existing) throw new WhirlError('WHIRL_NOT_FOUND');
    await entities.delete('compositions', ns, request.params.name, existing.rev);
    return existing.doc;
  });

  scope.post<{ Params: NameParams; Querystring: { blocking?: boolean; result?: boolean; timeout?: number } }>(
    '/:ns/compositions/:name',
    {
      schema: {
        params: nameParams,
        querystring: {
          type: 'object',
          properties: { blocking: { type: 'boolean' }, result: { type: 'boolean' }, timeout: { type: 'integer' } },
        },
      },
    },
    async (request, reply) => {
      const { query } = request;
      const waitMs = query.timeout ?? config.limits.maxBlockingWaitMs;
      if (waitMs < 1 || waitMs > config.limits.maxBlockingWaitMs) {
        throw new WhirlError('WHIRL_INVALID_TIMEOUT', [config.limits.maxBlockingWaitMs]);
      }
      const input = request.body ?? {};
      if (typeof input !== 'object' || input === null) {
        throw new WhirlError('WHIRL_INVALID_JSON', ['the payload must be a JSON object or array']);
      }
      const composition = await load(request.identity.namespace, request.params.name);
      const blocking = query.blocking === true;
      const { activationId, record } = await engine.invokeComposition(request.identity, composition, input, { blocking, waitMs });
      reply.header('x-openwhisk-activation-id', activationId);
      if (!record) return reply.code(202).send({ activationId });
      const status = record.response.statusCode === StatusCode.Success ? 200 : 502;
      return reply.code(status).send(query.result ? servedResponse(record.response).result : servedRecord(record));
    },
  );
  methodNotAllowed(scope, '/:ns/compositions/:name', ['GET', 'PUT', 'DELETE', 'POST']);

  scope.get<{ Params: NameParams; Querystring: { limit?: number; skip?: number; status?: ExecutionDoc['status'] } }>(
    '/:ns/compositions/:name/executions',
    {
      schema: {
        params: nameParams,
        querystring: {
          type: 'object',
          properties: { ...ListQueryProperties, status: { type: 'string', enum: ['running', 'succeeded', 'failed', 'cancelled'] } },
        },
        response: errorResponses,
      },
    },
    async (request) => {
      const { limit, skip } = listPage(request.query.limit, request.query.skip, 'executions');
      await load(request.identity.namespace, request.params.name); // no such composition here: 404, as for its other routes
      const rows = await engine.list({
        namespace: request.identity.namespace,
        kind: 'composition',
        name: request.params.name,
        skip,
        limit,
        ...(request.query.status ? { status: request.query.status } : {}),
      });
      return rows.map(({ id, ...rest }) => ({ activationId: id, ...rest }));
    },
  );

  scope.get<{ Params: ExecParams }>('/:ns/compositions/:name/executions/:id', { schema: { params: execParams, response: errorResponses } }, async (request) =>
    executionStatus(await execution(request.identity.namespace, request.params)),
  );

  scope.get<{ Params: ExecParams; Querystring: { after?: number; limit?: number } }>(
    '/:ns/compositions/:name/executions/:id/history',
    {
      schema: {
        params: execParams,
        querystring: {
          type: 'object',
          properties: { after: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 10_000 } },
        },
        response: errorResponses,
      },
    },
    async (request) => {
      const doc = await execution(request.identity.namespace, request.params);
      return engine.history(doc.id, { afterSeq: request.query.after ?? 0, limit: request.query.limit ?? 1000 });
    },
  );

  scope.post<{ Params: ExecParams }>('/:ns/compositions/:name/executions/:id/cancel', { schema: { params: execParams, response: errorResponses } }, async (request) => {
    const doc = await execution(request.identity.namespace, request.params);
    if (doc.status !== 'running') throw new WhirlError('WHIRL_EXECUTION_NOT_RUNNING', [doc.status]);
    const after = await engine.cancel(doc.id);
    return executionStatus(after ?? doc);
  });

  async function load(ns: string, name: string): Promise<Composition> {
    const found = await entities.get<Composition>('compositions', ns, name);
    if (!found) throw new WhirlError('WHIRL_NOT_FOUND');
    return found.doc;
  }

  /** An execution of this composition in the caller's namespace; anything else is simply absent. */
  async function execution(ns: string, p: ExecParams): Promise<ExecutionDoc> {
    const doc = await engine.execution(p.id);
    if (!doc || doc.namespace !== ns || doc.kind !== 'composition' || doc.name !== p.name) throw new WhirlError('WHIRL_NOT_FOUND');
    return doc;
  }
};

/** What `GET …/executions/{id}` serves: the state, not the snapshot internals. */
function executionStatus(doc: ExecutionDoc): Record<string, unknown> {
  return {
    activationId: doc.id,
    name: doc.name,
    version: doc.version,
    status: doc.status,
    start: doc.start,
    ...(doc.end !== undefined ? { end: doc.end } : {}),
    ...(doc.result !== undefined ? { result: doc.result } : {}),
    ...(doc.error !== undefined ? { error: doc.error } : {}),
  };
}
