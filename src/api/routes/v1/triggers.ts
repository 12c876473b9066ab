import type { FastifyPluginAsync } from 'fastify';
import { validateWebhookAnnotation } from '../../../domain/webhook.js';
import { nextVersion } from '../../../domain/action.js';
import { isRecord } from '../../../domain/activation.js';
import { kvToObject } from '../../../domain/key-value.js';
import { isValidName } from '../../../domain/names.js';
import { type Trigger, triggerSummary } from '../../../domain/trigger.js';
import { type TriggerFiringDeps, fireTrigger } from '../../../engine/triggers/fire-trigger.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { TriggerLifecycleHooks } from '../../../engine/triggers/trigger-hooks.js';
import type { ApiDeps } from '../../deps.js';
import { ListQueryProperties, listPage } from '../../list-page.js';
import { methodNotAllowed } from '../../method-not-allowed.js';
import { errorResponses } from '../../schemas/error-response.js';
import { type TriggerPutBody, TriggerPutSchema, TriggerResponseSchema } from '../../schemas/trigger.js';

/**
 * `/namespaces/{ns}/triggers…` (§1.3, §1.8; `C/Triggers.scala`). Fire: 202 `{activationId}` with a stored trigger
 * activation, or 204 when no rule is active. `hooks` lets feeds react to trigger creation and deletion.
 */
export interface TriggerRoutesOptions {
  deps: ApiDeps;
  firing: TriggerFiringDeps;
  hooks?: TriggerLifecycleHooks;
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

const entityResponse = { 200: TriggerResponseSchema, ...errorResponses };

export const triggerRoutes: FastifyPluginAsync<TriggerRoutesOptions> = async (scope, { deps, firing, hooks }) => {
  const { entities, config, clock } = deps;

  scope.get<{ Querystring: { limit?: number; skip?: number; count?: boolean } }>(
    '/:ns/triggers',
    { schema: { querystring: { type: 'object', properties: ListQueryProperties } } },
    async (request) => {
      const { limit, skip, count } = request.query;
      const page = listPage(limit, skip, 'triggers');
      const ns = request.identity.namespace;
      if (count) return { triggers: await entities.count('triggers', ns) };
      return (await entities.list<Trigger>('triggers', ns, page)).map(triggerSummary);
    },
  );
  methodNotAllowed(scope, '/:ns/triggers', ['GET']);

  scope.get<{ Params: NameParams }>(
    '/:ns/triggers/:name',
    { schema: { params: nameParams, response: entityResponse } },
    async (request) => load(request.identity.namespace, request.params.name),
  );

  scope.put<{ Params: NameParams; Querystring: { overwrite?: boolean }; Body: TriggerPutBody | undefined }>(
    '/:ns/triggers/:name',
    {
      schema: {
        params: nameParams,
        querystring: { type: 'object', properties: { overwrite: { type: 'boolean' } } },
        body: TriggerPutSchema,
        response: entityResponse,
      },
    },
    async (request) => {
      const ns = request.identity.namespace;
      const { name } = request.params;
      if (!isValidName(name)) throw new WhirlError('WHIRL_INVALID_NAME', [name]);
      const existing = await entities.get<Trigger>('triggers', ns, name);
      if (existing && request.query.overwrite !== true) throw new WhirlError('WHIRL_CONFLICT');
      const body = request.body ?? {};
      const parameters = (body.parameters ?? existing?.doc.parameters ?? []).map((p) => ({ key: p.key, value: p.value }));
      const bytes = Buffer.byteLength(JSON.stringify(kvToObject(parameters)));
      if (bytes > config.limits.maxParameterBytes) {
        throw new WhirlError('WHIRL_PARAMETERS_TOO_LARGE', [bytes, config.limits.maxParameterBytes]);
      }
      const trigger: Trigger = {
        namespace: ns,
        name,
        version: existing ? nextVersion(existing.doc.version) : (body.version ?? '0.0.1'),
        publish: body.publish ?? existing?.doc.publish ?? false,
        annotations: (body.annotations ?? existing?.doc.annotations ?? []).map((a) => ({ key: a.key, value: a.value })),
        parameters,
        limits: {},
        // Rule state lives in the trigger: an update keeps it.
        ...(existing?.doc.rules ? { rules: existing.doc.rules } : {}),
        updated: clock.now(),
      };
      validateWebhookAnnotation(trigger.annotations);
      const stored = await entities.put('triggers', trigger, existing?.rev);
      if (!existing && hooks?.created) {
        try {
          await hooks.created(request.identity, stored.doc);
        } catch (err) {
          // A trigger whose feed could not be set up is not left behind (as `wsk trigger create --feed` does).
          await entities.delete('triggers', ns, name, stored.rev).catch(() => undefined);
          throw err;
        }
      }
      return stored.doc;
    },
  );

  scope.delete<{ Params: NameParams }>(
    '/:ns/triggers/:name',
    { schema: { params: nameParams, response: entityResponse } },
    async (request) => {
      const ns = request.identity.namespace;
      const existing = await entities.get<Trigger>('triggers', ns, request.params.name);
      if (!existing) throw new WhirlError('WHIRL_NOT_FOUND');
      await hooks?.deleting?.(request.identity, existing.doc);
      await entities.delete('triggers', ns, request.params.name, existing.rev);
      return existing.doc;
    },
  );

  scope.post<{ Params: NameParams }>(
    '/:ns/triggers/:name',
    {
      schema: {
        params: nameParams,
        // OpenWhisk: 202 with the trigger's activation id, 204 (no body) when no rule is active.
        response: {
          202: { type: 'object', properties: { activationId: { type: 'string' } } },
          204: { description: 'No active rule: nothing was activated', type: 'null' },
        },
      },
    },
    async (request, reply) => {
      const payload = request.body ?? {};
      if (!isRecord(payload)) throw new WhirlError('WHIRL_INVALID_JSON', ['the trigger payload must be a JSON object']);
      const size = request.bodyBytes;
      if (size > config.limits.maxPayloadBytes) {
        throw new WhirlError('WHIRL_ENTITY_TOO_LARGE', [size, config.limits.maxPayloadBytes]);
      }
      // Fires per minute (docs/throttles.md): 429 before anything runs.
      await deps.throttle?.admitFire(request.identity.namespace);
      const outcome = await fireTrigger(firing, request.identity, request.params.name, payload, request.headers, {
        transactionId: String(request.id),
      });
      if ('noActiveRules' in outcome) return reply.code(204).send();
      return reply.code(202).send({ activationId: outcome.activationId });
    },
  );
  methodNotAllowed(scope, '/:ns/triggers/:name', ['GET', 'PUT', 'DELETE', 'POST']);

  async function load(ns: string, name: string): Promise<Trigger> {
    const found = await entities.get<Trigger>('triggers', ns, name);
    if (!found) throw new WhirlError('WHIRL_NOT_FOUND');
    return found.doc;
  }
};
