import type { FastifyPluginAsync } from 'fastify';
import { nextVersion } from '../../../domain/action.js';
import { isValidName, parseQualifiedName } from '../../../domain/names.js';
import { type Rule, ruleKey, ruleSummary, servedRule } from '../../../domain/rule.js';
import { type EntityRef, type RuleStatus, type Trigger, withRule } from '../../../domain/trigger.js';
import type { RuleTargets } from '../../../engine/triggers/rule-targets.js';
import { updateTrigger } from '../../../engine/triggers/trigger-rules.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { ApiDeps } from '../../deps.js';
import { ListQueryProperties, listPage } from '../../list-page.js';
import { methodNotAllowed } from '../../method-not-allowed.js';
import { errorResponses } from '../../schemas/error-response.js';
import { type RulePutBody, RulePutSchema, RuleResponseSchema, RuleStatusSchema } from '../../schemas/trigger.js';

/**
 * `/namespaces/{ns}/rules…` (§1.3, §1.8; `C/Rules.scala`). A rule's status lives in its trigger's `rules` map;
 * the rule document holds the trigger and target references. A new rule is active. The trigger must be in the
 * caller's namespace; the target must exist for the caller (an action, plain or packaged, or another kind that
 * `targets` knows).
 */
interface NameParams {
  ns: string;
  name: string;
}

const nameParams = {
  type: 'object',
  required: ['ns', 'name'],
  properties: { ns: { type: 'string' }, name: { type: 'string' } },
} as const;

const entityResponse = { 200: RuleResponseSchema, ...errorResponses };

export const ruleRoutes: FastifyPluginAsync<{ deps: ApiDeps; targets: RuleTargets }> = async (
  scope,
  { deps, targets },
) => {
  const { entities, clock } = deps;

  scope.get<{ Querystring: { limit?: number; skip?: number; count?: boolean } }>(
    '/:ns/rules',
    { schema: { querystring: { type: 'object', properties: ListQueryProperties } } },
    async (request) => {
      const { limit, skip, count } = request.query;
      const page = listPage(limit, skip, 'rules');
      const ns = request.identity.namespace;
      if (count) return { rules: await entities.count('rules', ns) };
      const rules = await entities.list<Rule>('rules', ns, page);
      return Promise.all(rules.map(async (r) => ruleSummary(servedRule(r, await triggerOf(r)))));
    },
  );
  methodNotAllowed(scope, '/:ns/rules', ['GET']);

  scope.get<{ Params: NameParams }>(
    '/:ns/rules/:name',
    { schema: { params: nameParams, response: entityResponse } },
    async (request) => {
      const rule = await load(request.identity.namespace, request.params.name);
      return servedRule(rule.doc, await triggerOf(rule.doc));
    },
  );

  scope.put<{ Params: NameParams; Querystring: { overwrite?: boolean }; Body: RulePutBody | undefined }>(
    '/:ns/rules/:name',
    {
      schema: {
        params: nameParams,
        querystring: { type: 'object', properties: { overwrite: { type: 'boolean' } } },
        body: RulePutSchema,
        response: entityResponse,
      },
    },
    async (request) => {
      const identity = request.identity;
      const ns = identity.namespace;
      const { name } = request.params;
      if (!isValidName(name)) throw new WhirlError('WHIRL_INVALID_NAME', [name]);
      const existing = await entities.get<Rule>('rules', ns, name);
      if (existing && request.query.overwrite !== true) throw new WhirlError('WHIRL_CONFLICT');
      const body = request.body ?? {};
      const trigger = body.trigger ? triggerRef(body.trigger, ns) : existing?.doc.trigger;
      const action = body.action ? actionRef(body.action, ns) : existing?.doc.action;
      if (!trigger || !action) {
        throw new WhirlError('WHIRL_BAD_REQUEST', ['A rule needs both a trigger and an action.']);
      }
      const triggerDoc = await entities.get<Trigger>('triggers', trigger.path, trigger.name);
      if (!triggerDoc) throw new WhirlError('WHIRL_NOT_FOUND');
      if (!(await targets.exists(identity, action))) throw new WhirlError('WHIRL_NOT_FOUND');

      const rule: Rule = {
        namespace: ns,
        name,
        version: existing ? nextVersion(existing.doc.version) : (body.version ?? '0.0.1'),
        publish: body.publish ?? existing?.doc.publish ?? false,
        annotations: (body.annotations ?? existing?.doc.annotations ?? []).map((a) => ({ key: a.key, value: a.value })),
        trigger,
        action,
        updated: clock.now(),
      };
      const key = ruleKey(rule);
      let status: RuleStatus = 'active';
      if (existing) {
        const old = await triggerOf(existing.doc);
        status = old?.rules?.[key]?.status ?? 'active';
        if (!sameRef(existing.doc.trigger, trigger)) {
          await updateTrigger(entities, existing.doc.trigger.path, existing.doc.trigger.name, (t) =>
            t.rules?.[key] ? withRule(t, key, undefined) : undefined,
          );
        }
      }
      const stored = await entities.put('rules', rule, existing?.rev);
      const updated = await updateTrigger(entities, trigger.path, trigger.name, (t) => withRule(t, key, { action, status }));
      return servedRule(stored.doc, updated?.doc);
    },
  );

  scope.delete<{ Params: NameParams }>(
    '/:ns/rules/:name',
    { schema: { params: nameParams, response: entityResponse } },
    async (request) => {
      const ns = request.identity.namespace;
      const existing = await load(ns, request.params.name);
      const key = ruleKey(existing.doc);
      const served = servedRule(existing.doc, await triggerOf(existing.doc));
      await updateTrigger(entities, existing.doc.trigger.path, existing.doc.trigger.name, (t) =>
        t.rules?.[key] ? withRule(t, key, undefined) : undefined,
      );
      await entities.delete('rules', ns, request.params.name, existing.rev);
      return served;
    },
  );

  // Enable / disable: `{"status": "active" | "inactive"}`; the current status is a no-op 200.
  scope.post<{ Params: NameParams; Body: { status: RuleStatus } }>(
    '/:ns/rules/:name',
    { schema: { params: nameParams, body: RuleStatusSchema, response: entityResponse } },
    async (request) => {
      const rule = await load(request.identity.namespace, request.params.name);
      const key = ruleKey(rule.doc);
      const status = request.body.status;
      const updated = await updateTrigger(entities, rule.doc.trigger.path, rule.doc.trigger.name, (t) =>
        t.rules?.[key]?.status === status ? undefined : withRule(t, key, { action: rule.doc.action, status }),
      );
      if (!updated && status === 'active') throw new WhirlError('WHIRL_RULE_NO_TRIGGER');
      return servedRule(rule.doc, updated?.doc);
    },
  );
  methodNotAllowed(scope, '/:ns/rules/:name', ['GET', 'PUT', 'DELETE', 'POST']);

  async function load(ns: string, name: string) {
    const found = await entities.get<Rule>('rules', ns, name);
    if (!found) throw new WhirlError('WHIRL_NOT_FOUND');
    return found;
  }

  async function triggerOf(rule: Rule): Promise<Trigger | undefined> {
    return (await entities.get<Trigger>('triggers', rule.trigger.path, rule.trigger.name))?.doc;
  }
};

/** Triggers live directly in a namespace (never in a package), and rules only use the caller's own. */
function triggerRef(raw: string, ns: string): EntityRef {
  const q = parseQualifiedName(raw, ns);
  if (!q || q.pkg) throw new WhirlError('WHIRL_INVALID_NAME', [raw]);
  if (q.namespace !== ns) throw new WhirlError('WHIRL_FORBIDDEN');
  return { path: q.namespace, name: q.name };
}

function actionRef(raw: string, ns: string): EntityRef {
  const q = parseQualifiedName(raw, ns);
  if (!q) throw new WhirlError('WHIRL_INVALID_NAME', [raw]);
  if (q.namespace !== ns) throw new WhirlError('WHIRL_FORBIDDEN');
  return { path: q.pkg ? `${q.namespace}/${q.pkg}` : q.namespace, name: q.name };
}

function sameRef(a: EntityRef, b: EntityRef): boolean {
  return a.path === b.path && a.name === b.name;
}
