import type { FastifyPluginAsync } from 'fastify';
import { type Action, actionSummary } from '../../../domain/action.js';
import { isSequence } from '../../../domain/exec.js';
import { isValidName } from '../../../domain/names.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { ActionCache } from '../../action-cache.js';
import { checkSequence } from '../../actions/check-sequence.js';
import { composeAction, hostProcessesOnly } from '../../actions/compose-action.js';
import { type InvokeQuery, invokeAction } from '../../actions/invoke.js';
import type { ApiDeps } from '../../deps.js';
import { packagedActionRoutes } from './packaged-actions.js';
import { ListQueryProperties, listPage } from '../../list-page.js';
import { methodNotAllowed } from '../../method-not-allowed.js';
import type { ActionPutBody } from '../../schemas/action.js';
import { errorResponses } from '../../schemas/error-response.js';

/** `/namespaces/{ns}/actions…` (§1.3, §1.4, §1.6). The `{ns}` parameter is entitled by the auth hook. */
export interface ActionRoutesOptions {
  deps: ApiDeps;
  cache: ActionCache;
}

interface NameParams {
  ns: string;
  name: string;
}

const nameParams = {
  type: 'object',
  required: ['ns', 'name'],
  properties: { ns: { type: 'string' }, name: { type: 'string' } },
} as const;

export const actionRoutes: FastifyPluginAsync<ActionRoutesOptions> = async (scope, { deps, cache }) => {
  const { entities, config, clock } = deps;

  scope.get<{ Querystring: { limit?: number; skip?: number; count?: boolean } }>(
    '/:ns/actions',
    { schema: { querystring: { type: 'object', properties: ListQueryProperties }, response: errorResponses } },
    async (request) => {
      const { limit, skip, count } = request.query;
      const page = listPage(limit, skip, 'actions');
      const ns = request.identity.namespace;
      if (count) return { actions: await entities.count('actions', ns) };
      const actions = await entities.list<Action>('actions', ns, page);
      return actions.map(actionSummary);
    },
  );
  methodNotAllowed(scope, '/:ns/actions', ['GET']);

  scope.get<{ Params: NameParams; Querystring: { code?: boolean } }>(
    '/:ns/actions/:name',
    {
      schema: {
        params: nameParams,
        querystring: { type: 'object', properties: { code: { type: 'boolean' } } },
        response: { 200: { $ref: 'Action#' }, ...errorResponses },
      },
    },
    async (request) => {
      const action = await load(request.identity.namespace, request.params.name);
      if (request.query.code === false && 'code' in action.exec) {
        const { code: _code, ...exec } = action.exec;
        return { ...action, exec };
      }
      return action;
    },
  );

  scope.put<{ Params: NameParams; Querystring: { overwrite?: boolean }; Body: ActionPutBody | undefined }>(
    '/:ns/actions/:name',
    {
      // Code may be far larger than an invoke payload.
      bodyLimit: config.limits.maxCodeBytes + config.limits.maxParameterBytes + ENVELOPE_BYTES,
      schema: {
        params: nameParams,
        querystring: { type: 'object', properties: { overwrite: { type: 'boolean' } } },
        body: { $ref: 'ActionPut#' },
        response: { 200: { $ref: 'Action#' }, ...errorResponses },
      },
    },
    async (request) => {
      const ns = request.identity.namespace;
      const { name } = request.params;
      if (!isValidName(name)) throw new WhirlError('WHIRL_INVALID_NAME', [name]);
      const existing = await entities.get<Action>('actions', ns, name);
      if (existing && request.query.overwrite !== true) throw new WhirlError('WHIRL_CONFLICT');
      const action = composeAction({
        namespace: ns,
        name,
        body: request.body ?? {},
        ...(existing ? { existing: existing.doc } : {}),
        limits: config.limits,
        runtimes: config.runtimes,
        hostProcessesOnly: hostProcessesOnly(config),
        now: clock.now(),
      });
      if (isSequence(action.exec) && request.body?.exec) {
        await checkSequence(entities, { namespace: ns, name }, action.exec, config.limits.sequenceMaxLength);
      }
      const stored = await entities.put('actions', action, existing?.rev);
      cache.invalidate(ns, name);
      return stored.doc;
    },
  );

  scope.delete<{ Params: NameParams }>(
    '/:ns/actions/:name',
    { schema: { params: nameParams, response: { 200: { $ref: 'Action#' }, ...errorResponses } } },
    async (request) => {
      const ns = request.identity.namespace;
      const { name } = request.params;
      const existing = await entities.get<Action>('actions', ns, name);
      if (!existing) throw new WhirlError('WHIRL_NOT_FOUND');
      await entities.delete('actions', ns, name, existing.rev);
      cache.invalidate(ns, name);
      return existing.doc;
    },
  );

  // Invoke. No response schema: a blocking answer is the record or the action's own result, 200/202/500/502.
  scope.post<{ Params: NameParams; Querystring: InvokeQuery }>(
    '/:ns/actions/:name',
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
      const answer = await invokeAction(deps, cache, {
        identity: request.identity,
        name: request.params.name,
        query: request.query,
        body: request.body,
        bodyBytes: request.bodyBytes,
        transactionId: String(request.id),
      });
      return reply.code(answer.status).header('x-openwhisk-activation-id', answer.activationId).send(answer.body);
    },
  );
  methodNotAllowed(scope, '/:ns/actions/:name', ['GET', 'PUT', 'DELETE', 'POST']);

  // Packaged actions (`actions/{pkg}/{name}`) and package listings (`actions/{pkg}/`).
  await scope.register(packagedActionRoutes, { deps, cache });

  async function load(ns: string, name: string): Promise<Action> {
    const found = await entities.get<Action>('actions', ns, name);
    if (!found) throw new WhirlError('WHIRL_NOT_FOUND');
    return found.doc;
  }
};

/** Room for the JSON envelope around code and parameters in a PUT body. */
const ENVELOPE_BYTES = 64 * 1024;
