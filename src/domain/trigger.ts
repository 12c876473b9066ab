import type { KeyValue } from './key-value.js';

/** `{path, name}`: how rules and triggers name an action (`E/WhiskRule.scala` `ReducedRule`). */
export interface EntityRef {
  /** `ns` or `ns/pkg`. */
  path: string;
  name: string;
}

export type RuleStatus = 'active' | 'inactive';

/** One entry of a trigger's `rules` map: OpenWhisk keeps rule state in the trigger document. */
export interface TriggerRule {
  action: EntityRef;
  status: RuleStatus;
}

/**
 * A trigger (`E/WhiskTrigger.scala`). `rules` is keyed by the rule's fully qualified name without the leading
 * slash (`ns/rule`) and is absent until a rule refers to the trigger. `limits` is always `{}`.
 */
export interface Trigger {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  annotations: KeyValue[];
  parameters: KeyValue[];
  limits: Record<string, never>;
  rules?: Record<string, TriggerRule>;
  updated: number;
}

/** The rules that fire, in a stable order (by rule name). */
export function activeRules(t: Trigger): Array<[string, TriggerRule]> {
  return Object.entries(t.rules ?? {})
    .filter(([, r]) => r.status === 'active')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The trigger with `ruleKey` set to `rule` (or removed when `rule` is undefined). Pure. */
export function withRule(t: Trigger, ruleKey: string, rule: TriggerRule | undefined): Trigger {
  const rules = { ...(t.rules ?? {}) };
  if (rule) rules[ruleKey] = rule;
  else delete rules[ruleKey];
  return { ...t, rules };
}

/** The list summary (`WhiskTrigger.summaryAsJson`). */
export function triggerSummary(t: Trigger): Record<string, unknown> {
  return {
    namespace: t.namespace,
    name: t.name,
    version: t.version,
    publish: t.publish,
    annotations: t.annotations,
    updated: t.updated,
  };
}

/**
 * One line of a trigger activation's logs (`C/Triggers.scala` `RuleActivationResult`): a compact JSON string per
 * rule, with the action's activation id on success or `error` on failure.
 */
export function ruleLogLine(entry: {
  statusCode: number;
  activationId?: string;
  rule: string;
  action: string;
  error?: string;
}): string {
  const out: Record<string, unknown> = { statusCode: entry.statusCode, success: entry.statusCode === 0 };
  if (entry.activationId !== undefined) out.activationId = entry.activationId;
  out.rule = entry.rule;
  out.action = entry.action;
  if (entry.error !== undefined) out.error = entry.error;
  return JSON.stringify(out);
}
