import { WhirlError } from '../errors/whirl-error.js';
import { isRecord } from './activation.js';
import { type ApiDoc, type ApiRouteRequest, HTTP_VERBS, parseApiRouteRequest } from './api-route.js';
import { DEFAULT_NAMESPACE, parseQualifiedName } from './names.js';

/**
 * OpenWhisk's API gateway documents (`core/routemgmt`, what `wsk api` and the npm client's `routes` send and read)
 * in terms of Whirl's API routes. Pure. An API is a Swagger 2.0 document per base path whose operations carry
 * `x-openwhisk: {namespace, package, action, url}`; `url` is the web action URL, its extension the response type.
 */

/** The Swagger document of one base path, as `getApi` and `createApi` answer it. */
export function toSwagger(doc: ApiDoc, apiHost: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of doc.routes) {
    const q = parseQualifiedName(r.action, doc.namespace);
    if (!q) continue;
    const op = r.operation.toLowerCase();
    const params = pathParameters(r.relPath);
    (paths[r.relPath] ??= {})[op] = {
      operationId: operationId(op, r.relPath),
      ...(params.length > 0 ? { parameters: params.map((name) => ({ name, in: 'path', required: true, type: 'string' })) } : {}),
      'x-openwhisk': {
        namespace: q.namespace,
        package: q.pkg ?? '',
        action: q.name,
        url: `${apiHost}/api/v1/web/${q.namespace}/${q.pkg ?? 'default'}/${q.name}.${r.responseType}`,
      },
      responses: { default: { description: 'Default response' } },
    };
  }
  return { swagger: '2.0', basePath: doc.basePath, info: { title: doc.apiName, version: '1.0.0' }, paths };
}

/**
 * The route a `createApi` `apidoc` without `swagger` asks for: `gatewayBasePath`, `gatewayPath`, `gatewayMethod`,
 * `action: {namespace, name}`, `apiName?`; `responseType` from the `responsetype` query (default json). The
 * caller's namespace replaces `_` and the apidoc's own namespace, as OpenWhisk's `updateNamespace` does.
 */
export function routeFromApidoc(apidoc: Record<string, unknown>, callerNamespace: string, responseType?: string): ApiRouteRequest {
  const action = isRecord(apidoc.action) ? apidoc.action : {};
  const ns = ownNamespace(action.namespace, apidoc.namespace, callerNamespace);
  const name = typeof action.name === 'string' ? action.name : '';
  return parseApiRouteRequest(
    {
      basePath: apidoc.gatewayBasePath,
      relPath: apidoc.gatewayPath,
      operation: apidoc.gatewayMethod,
      action: `/${ns}/${name}`,
      responseType: responseType ?? 'json',
      ...(typeof apidoc.apiName === 'string' ? { apiName: apidoc.apiName } : {}),
    },
    callerNamespace,
  );
}

/** Every route of a Swagger document (`wsk api create --config-file`); 400 naming the first operation it cannot map. */
export function routesFromSwagger(raw: unknown, callerNamespace: string): ApiRouteRequest[] {
  let swagger = raw;
  if (typeof raw === 'string') {
    try {
      swagger = JSON.parse(raw) as unknown;
    } catch {
      throw bad('swagger is not valid JSON');
    }
  }
  if (!isRecord(swagger) || typeof swagger.basePath !== 'string' || !isRecord(swagger.paths)) {
    throw bad('swagger must have basePath and paths');
  }
  const apiName = isRecord(swagger.info) && typeof swagger.info.title === 'string' ? swagger.info.title : swagger.basePath;
  const out: ApiRouteRequest[] = [];
  for (const [relPath, ops] of Object.entries(swagger.paths)) {
    if (!isRecord(ops)) continue;
    for (const [verb, op] of Object.entries(ops)) {
      if (!(HTTP_VERBS as readonly string[]).includes(verb.toUpperCase())) continue; // `parameters` and extensions
      const ow = isRecord(op) && isRecord(op['x-openwhisk']) ? op['x-openwhisk'] : undefined;
      if (!ow || typeof ow.action !== 'string') throw bad(`operation ${verb} ${relPath} has no x-openwhisk action`);
      const ns = ownNamespace(ow.namespace, undefined, callerNamespace);
      const pkg = typeof ow.package === 'string' && ow.package !== '' ? `${ow.package}/` : '';
      const ext = typeof ow.url === 'string' ? /\.(http|json|html|svg|text)$/.exec(ow.url)?.[1] : undefined;
      out.push(
        parseApiRouteRequest(
          { basePath: swagger.basePath, relPath, operation: verb, action: `/${ns}/${pkg}${ow.action}`, responseType: ext ?? 'json', apiName },
          callerNamespace,
        ),
      );
    }
  }
  return out;
}

function ownNamespace(actionNs: unknown, apidocNs: unknown, caller: string): string {
  if (typeof actionNs !== 'string' || actionNs === '' || actionNs === DEFAULT_NAMESPACE || actionNs === apidocNs) return caller;
  return actionNs;
}

function pathParameters(relPath: string): string[] {
  return [...relPath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
}

/** `get` + `/books/{isbn}` → `getBooksIsbn`: the verb, then each path word capitalised (OpenWhisk's operation ids). */
function operationId(op: string, relPath: string): string {
  const words = relPath.replace(/[^0-9a-z_-]/gi, ' ').split(/\s+/).filter((w) => w.length > 0);
  return op + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('');
}

function bad(why: string): WhirlError {
  return new WhirlError('WHIRL_BAD_REQUEST', [why]);
}
