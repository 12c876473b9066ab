import type { FastifyPluginAsync } from 'fastify';
import { isRecord } from '../../../domain/activation.js';
import type { ApiDoc } from '../../../domain/api-route.js';
import { routeFromApidoc, routesFromSwagger, toSwagger } from '../../../domain/api-swagger.js';
import { splitExtension } from '../../../domain/web-action.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import { ApiBook } from '../../apis/api-book.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { ApiDeps } from '../../deps.js';

/**
 * OpenWhisk's API gateway protocol: the `whisk.system/apimgmt` web actions `createApi`, `getApi` and `deleteApi`
 * that `wsk api` (`…/createApi.http`) and the npm client's `routes` (`…/createApi`) call, answered in-process over
 * Whirl's API routes (src/api/apis/api-book.ts). The caller's Basic auth decides the namespace, as `__ow_user`
 * does in OpenWhisk; namespaces named in the documents are only honoured when they are the caller's.
 * Answers: createApi → the API (`{namespace, gwApiUrl, gwApiActivated, tenantId, apidoc: swagger}`); getApi →
 * `{apis: [{id, key, value: API}]}`; deleteApi → `{}`.
 */
export const apimgmtRoutes: FastifyPluginAsync<{ deps: ApiDeps; authenticator: Authenticator }> = async (scope, { deps, authenticator }) => {
  const book = new ApiBook(deps);
  const { apiHost } = deps.config.http;
  const api = (ns: string, doc: ApiDoc) => ({
    namespace: ns,
    gwApiUrl: `${apiHost}/apis/${ns}${doc.basePath}`,
    gwApiActivated: true,
    tenantId: ns,
    apidoc: toSwagger(doc, apiHost),
  });

  scope.route<{ Params: { op: string }; Querystring: Record<string, string | undefined> }>({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: '/:op',
    handler: async (request) => {
      const { name, extension } = splitExtension(request.params.op);
      if (extension !== '.http' && extension !== '.json') throw new WhirlError('WHIRL_NOT_FOUND');
      const ns = (await authenticator.authenticate(request.headers.authorization)).namespace;
      // Web actions see query and body parameters alike.
      const p: Record<string, unknown> = { ...request.query, ...(isRecord(request.body) ? request.body : {}) };
      const text = (k: string) => (typeof p[k] === 'string' && p[k] !== '' ? (p[k] as string) : undefined);

      if (name === 'createApi') {
        let apidoc: unknown = p.apidoc;
        if (typeof apidoc === 'string') apidoc = parseJson(apidoc, 'apidoc');
        if (!isRecord(apidoc)) throw new WhirlError('WHIRL_BAD_REQUEST', ['apidoc is required']);
        if (apidoc.swagger !== undefined) {
          const reqs = routesFromSwagger(apidoc.swagger, ns);
          const first = reqs[0];
          if (!first) throw new WhirlError('WHIRL_BAD_REQUEST', ['the API has no operations']);
          return api(ns, await book.replace(ns, first.basePath, first.apiName, reqs));
        }
        const { doc } = await book.add(ns, routeFromApidoc(apidoc, ns, text('responsetype')));
        return api(ns, doc);
      }
      if (name === 'getApi') {
        const docs = await book.docs(ns, text('basepath'));
        return { apis: docs.map((doc) => ({ id: `API:${ns}:${doc.basePath}`, key: `${ns}:${doc.basePath}`, value: api(ns, doc) })) };
      }
      if (name === 'deleteApi') {
        const basepath = text('basepath');
        if (!basepath) throw new WhirlError('WHIRL_BAD_REQUEST', ['basepath is required']);
        // `basepath` may name the API instead (`wsk api delete "Book Club"`).
        const doc = (await book.docs(ns, basepath))[0];
        await book.remove(ns, doc?.basePath ?? basepath, text('relpath'), text('operation'));
        return {};
      }
      throw new WhirlError('WHIRL_NOT_FOUND');
    },
  });
};

function parseJson(raw: string, what: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new WhirlError('WHIRL_BAD_REQUEST', [`${what} is not valid JSON`]);
  }
}
