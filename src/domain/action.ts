import type { Exec } from './exec.js';
import { isTruthyAnnotation, type KeyValue } from './key-value.js';
import type { ActionLimits } from './limits.js';

/** An action as stored and as served by `GET /actions/{name}` (`WhiskAction.scala`). */
export interface Action {
  /** `ns` or `ns/pkg` for packaged actions, as OpenWhisk serves it. */
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  exec: Exec;
  parameters: KeyValue[];
  annotations: KeyValue[];
  limits: ActionLimits;
  updated: number;
}

/** Bumps the patch component: OpenWhisk's `SemVer.upPatch` on every update. */
export function nextVersion(version: string): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  return `${major}.${minor}.${patch + 1}`;
}

/** The list summary: no code, no parameters (`WhiskAction.summaryAsJson`). */
export function actionSummary(a: Action): Record<string, unknown> {
  return {
    namespace: a.namespace,
    name: a.name,
    version: a.version,
    publish: a.publish,
    annotations: a.annotations,
    limits: a.limits,
    exec: { binary: 'binary' in a.exec ? a.exec.binary : false },
    updated: a.updated,
  };
}

/** An OpenWhisk conductor action: a non-sequence action annotated `conductor` (truthy); it runs as a composition. */
export function isConductorAction(a: Pick<Action, 'exec' | 'annotations'>): boolean {
  return a.exec.kind !== 'sequence' && isTruthyAnnotation(a.annotations, 'conductor');
}
