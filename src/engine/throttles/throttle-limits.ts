/**
 * Per-namespace throttle limits (OpenWhisk's `invocationsPerMinute`, `concurrentInvocations`, `firesPerMinute`,
 * the fields of `GET /namespaces/{ns}/limits`). 0 means unlimited. A namespace listed in `namespaces` overrides
 * the defaults field by field.
 */
export interface NamespaceLimits {
  invocationsPerMinute: number;
  concurrentInvocations: number;
  firesPerMinute: number;
}

export interface ThrottleSettings extends NamespaceLimits {
  namespaces: Record<string, Partial<NamespaceLimits>>;
}

export function limitsFor(settings: ThrottleSettings, namespace: string): NamespaceLimits {
  const own = settings.namespaces[namespace] ?? {};
  return {
    invocationsPerMinute: own.invocationsPerMinute ?? settings.invocationsPerMinute,
    concurrentInvocations: own.concurrentInvocations ?? settings.concurrentInvocations,
    firesPerMinute: own.firesPerMinute ?? settings.firesPerMinute,
  };
}

/** Whether any namespace can be throttled at all (when not, the throttle stays off the hot path). */
export function anyThrottle(settings: ThrottleSettings): boolean {
  const all = [settings, ...Object.values(settings.namespaces)];
  return all.some((l) => (l.invocationsPerMinute ?? 0) > 0 || (l.concurrentInvocations ?? 0) > 0 || (l.firesPerMinute ?? 0) > 0);
}
