import type { FastifyPluginAsync } from 'fastify';
import { type ActivationRecord, recordSummary, servedRecord, servedResponse } from '../../../domain/activation.js';
import { parseActivationId } from '../../../domain/ids.js';
import { isValidName } from '../../../domain/names.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { ApiDeps } from '../../deps.js';
import { ListQueryProperties, listPage } from '../../list-page.js';
import { methodNotAllowed } from '../../method-not-allowed.js';
import { errorResponses } from '../../schemas/error-response.js';

/**
 * `/namespaces/{ns}/activations…` (§1.3, §1.7). Records are filed under the invoking identity's namespace, so
 * every query is on the caller's own namespace.
 */
interface ListQuery {
  limit?: number;
  skip?: number;
  count?: boolean;
  docs?: boolean;
  name?: string;
  since?: number;
  upto?: number;
}

const idParams = {
  type: 'object',
  required: ['ns', 'id'],
  properties: { ns: { type: 'string' }, id: { type: 'string' } },
} as const;

export const activationRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (scope, { deps }) => {
  const store = deps.activations;

  scope.get<{ Querystring: ListQuery }>(
    '/:ns/activations',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            ...ListQueryProperties,
            docs: { type: 'boolean' },
            name: { type: 'string' },
            since: { type: 'integer' },
            upto: { type: 'integer' },
          },
        },
        response: errorResponses,
      },
    },
    async (request) => {
      const q = request.query;
      if (q.count && q.docs) throw new WhirlError('WHIRL_DOCS_WITH_COUNT');
      const page = listPage(q.limit, q.skip, 'activations');
      if (q.name !== undefined && !isNameFilter(q.name)) throw new WhirlError('WHIRL_NAME_FILTER');
      const filter = {
        ...(q.name !== undefined ? { name: q.name } : {}),
        ...(q.since !== undefined ? { since: q.since } : {}),
        ...(q.upto !== undefined ? { upto: q.upto } : {}),
      };
      const ns = request.identity.namespace;
      if (q.count) return { activations: await store.count(ns, filter) };
      const records = await store.list(ns, { ...filter, ...page });
      return records.map(q.docs ? servedRecord : recordSummary);
    },
  );
  methodNotAllowed(scope, '/:ns/activations', ['GET']);

  scope.get<{ Params: { ns: string; id: string } }>(
    '/:ns/activations/:id',
    { schema: { params: idParams, response: { 200: { $ref: 'Activation#' }, ...errorResponses } } },
    async (request) => servedRecord(await load(request.identity.namespace, request.params.id)),
  );
  methodNotAllowed(scope, '/:ns/activations/:id', ['GET']);

  scope.get<{ Params: { ns: string; id: string } }>(
    '/:ns/activations/:id/result',
    { schema: { params: idParams, response: { 200: { $ref: 'ActivationResponse#' }, ...errorResponses } } },
    async (request) => servedResponse((await load(request.identity.namespace, request.params.id)).response),
  );
  methodNotAllowed(scope, '/:ns/activations/:id/result', ['GET']);

  scope.get<{ Params: { ns: string; id: string } }>(
    '/:ns/activations/:id/logs',
    { schema: { params: idParams, response: errorResponses } },
    async (request) => ({ logs: (await load(request.identity.namespace, request.params.id)).logs }),
  );
  methodNotAllowed(scope, '/:ns/activations/:id/logs', ['GET']);

  /** A malformed id is a 400 (OpenWhisk's `ActivationId.parse` rejection), an unknown well-formed one a 404. */
  async function load(ns: string, raw: string): Promise<ActivationRecord> {
    const id = parseActivationId(raw);
    if (!id) throw new WhirlError('WHIRL_INVALID_ACTIVATION_ID', [raw]);
    const record = await store.get(ns, id);
    if (!record) throw new WhirlError('WHIRL_NOT_FOUND');
    return record;
  }
};

/** `action` or `package/action`. */
function isNameFilter(name: string): boolean {
  const parts = name.split('/');
  return parts.length <= 2 && parts.every(isValidName);
}
