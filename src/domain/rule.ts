import type { KeyValue } from './key-value.js';
import type { EntityRef, RuleStatus, Trigger } from './trigger.js';

/**
 * A rule (`E/WhiskRule.scala`) as stored: it connects one trigger to one target. Its status is NOT stored here:
 * OpenWhisk keeps it in the trigger's `rules` map, and `status` is filled in when the rule is served.
 */
export interface Rule {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  annotations: KeyValue[];
  trigger: EntityRef;
  action: EntityRef;
  updated: number;
}

/** The key under which a trigger lists a rule: `ns/rule`. */
export function ruleKey(r: { namespace: string; name: string }): string {
  return `${r.namespace}/${r.name}`;
}

/** `ns/name` or `ns/pkg/name` without the leading slash, as trigger logs and rule maps print paths. */
export function refPath(ref: EntityRef): string {
  return `${ref.path}/${ref.name}`;
}

/** The rule as served: with the status its trigger holds (inactive when the trigger is gone). */
export function servedRule(rule: Rule, trigger: Trigger | undefined): Rule & { status: RuleStatus } {
  return { ...rule, status: trigger?.rules?.[ruleKey(rule)]?.status ?? 'inactive' };
}

export function ruleSummary(rule: Rule & { status: RuleStatus }): Record<string, unknown> {
  return {
    namespace: rule.namespace,
    name: rule.name,
    version: rule.version,
    publish: rule.publish,
    annotations: rule.annotations,
    status: rule.status,
    trigger: rule.trigger,
    action: rule.action,
    updated: rule.updated,
  };
}
