import { flagString, type CommandContext, type CommandSpec, type GroupSpec } from '../command.js';
import { collectionUrl } from '../entity-path.js';

/**
 * `wsk api create|get|list|delete`: routes from base path + path + verb to a web action
 * (`/api/v1/namespaces/{ns}/apis`, see docs/api-routes.md). The arguments follow `wsk api`; the routes are served at
 * `/apis/{ns}{basePath}{relPath}`.
 */
const apisUrl = (ctx: CommandContext) => collectionUrl('apis', ctx.namespace);

interface RouteView {
  apiName?: string;
  basePath?: string;
  relPath?: string;
  operation?: string;
  action?: string;
  url?: string;
}

function printRoutes(ctx: CommandContext, routes: RouteView[]): void {
  if (ctx.out.json) return ctx.out.value(routes);
  ctx.out.line('Action                                      Verb     API Name        URL');
  for (const r of routes) {
    ctx.out.line(`${String(r.action ?? '').padEnd(43)} ${String(r.operation ?? '').padEnd(8)} ${String(r.apiName ?? '').padEnd(15)} ${r.url ?? ''}`);
  }
}

const create: CommandSpec = {
  name: 'create',
  summary: 'route BASE_PATH API_PATH API_VERB to the web action ACTION',
  args: [{ name: 'BASE_PATH' }, { name: 'API_PATH' }, { name: 'API_VERB' }, { name: 'ACTION', complete: 'actions' }],
  flags: [
    { name: 'apiname', short: 'n', type: 'string', description: 'a name for the API', placeholder: 'NAME' },
    {
      name: 'response-type',
      type: 'string',
      description: 'the web action extension the route uses',
      placeholder: 'TYPE',
      choices: ['http', 'json', 'html', 'svg', 'text'],
    },
  ],
  run: async (ctx) => {
    const [basePath, relPath, operation, action] = ctx.args as [string, string, string, string];
    const body: Record<string, unknown> = { basePath, relPath, operation, action: action.replace(/^\/_\//, '') };
    const apiName = flagString(ctx, 'apiname');
    const responseType = flagString(ctx, 'response-type');
    if (apiName) body.apiName = apiName;
    if (responseType) body.responseType = responseType;
    const res = await ctx.api().put(apisUrl(ctx), body);
    const route = res.body as RouteView;
    if (ctx.out.json) return ctx.out.value(route);
    ctx.out.ok(`created API ${route.basePath ?? basePath}${route.relPath ?? relPath} ${route.operation ?? operation}`);
    ctx.out.line(route.url ?? '');
  },
};

const list: CommandSpec = {
  name: 'list',
  summary: 'list API routes, all or those of BASE_PATH',
  args: [{ name: 'BASE_PATH', optional: true }],
  run: async (ctx) => {
    const basepath = ctx.args[0];
    const res = await ctx.api().get(apisUrl(ctx), { query: { basepath } });
    if (!ctx.out.json) ctx.out.ok(basepath ? `APIs of ${basepath}` : 'APIs');
    printRoutes(ctx, (res.body as RouteView[]) ?? []);
  },
};

const get: CommandSpec = {
  name: 'get',
  summary: 'show the routes of BASE_PATH',
  args: [{ name: 'BASE_PATH' }],
  run: async (ctx) => {
    const res = await ctx.api().get(apisUrl(ctx), { query: { basepath: ctx.args[0] } });
    printRoutes(ctx, (res.body as RouteView[]) ?? []);
  },
};

const del: CommandSpec = {
  name: 'delete',
  summary: 'delete the routes of BASE_PATH, or one path, or one path and verb',
  args: [{ name: 'BASE_PATH' }, { name: 'API_PATH', optional: true }, { name: 'API_VERB', optional: true }],
  run: async (ctx) => {
    const [basepath, relpath, operation] = ctx.args;
    const res = await ctx.api().delete(apisUrl(ctx), { query: { basepath, relpath, operation } });
    if (ctx.out.json) return ctx.out.value(res.body);
    ctx.out.ok(`deleted API ${[basepath, relpath, operation].filter(Boolean).join(' ')}`);
  },
};

export const apiGroup: GroupSpec = {
  name: 'api',
  summary: 'route base path + path + verb to web actions',
  commands: [create, get, list, del],
};
