// Folds an execution's history (GET …/executions/{id}/history: entries with `seq`, `at`, `type`, `path`,
// `activationId`, … — src/engine/composition/history.ts) into what the live view shows, pure (no DOM).

export const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * → {nodes: Map(path → 'current' | 'done' | 'failed' | 'waiting' | 'retrying'), steps: [row]}, where a row is one
 * task activation ({kind: 'task', path, activationId, attempt, status: 'running' | 'succeeded' | 'failed', at,
 * duration?, error?}) or one wait ({kind: 'wait', path, at, resumeAt, status}), in the order they began.
 * A node re-entered (a loop's next iteration, a retry) takes the state of its latest entry. Once the execution is
 * terminal nothing is current any more: a node still marked so was abandoned (cancel, timeout, `succeed`).
 */
export function replay(history, status = 'running') {
  const nodes = new Map();
  const steps = [];
  const tasks = new Map();
  const waits = new Map();
  for (const e of history ?? []) {
    const path = e.path;
    switch (e.type) {
      case 'StepStarted':
        nodes.set(path, 'current');
        break;
      case 'StepSucceeded':
        nodes.set(path, 'done');
        if (waits.has(path)) waits.get(path).status = 'done';
        break;
      case 'StepFailed':
        nodes.set(path, 'failed');
        if (waits.has(path)) waits.get(path).status = 'failed';
        break;
      case 'RetryScheduled':
        nodes.set(path, 'retrying');
        break;
      case 'WaitStarted': {
        nodes.set(path, 'waiting');
        const row = { kind: 'wait', path, at: e.at, resumeAt: e.resumeAt, status: 'waiting' };
        waits.set(path, row);
        steps.push(row);
        break;
      }
      case 'TaskDispatched': {
        const row = { kind: 'task', path, activationId: e.activationId, attempt: e.attempt ?? 1, status: 'running', at: e.at };
        tasks.set(e.activationId, row);
        steps.push(row);
        break;
      }
      case 'TaskCompleted': {
        const row = tasks.get(e.activationId);
        if (!row) break;
        row.status = e.error ? 'failed' : 'succeeded';
        if (e.duration !== undefined) row.duration = e.duration;
        if (e.error) row.error = e.error;
        break;
      }
      default:
        break;
    }
  }
  if (TERMINAL.has(status)) {
    for (const [path, state] of nodes) if (state !== 'done' && state !== 'failed') nodes.set(path, 'abandoned');
    for (const row of steps) if (row.status === 'running' || row.status === 'waiting') row.status = 'abandoned';
  }
  return { nodes, steps };
}

/** The innermost active paths: nodes current/waiting/retrying with no active descendant (what "the current step" is). */
export function currentSteps(nodes) {
  const active = [...nodes].filter(([, s]) => s === 'current' || s === 'waiting' || s === 'retrying').map(([p]) => p);
  return active.filter((p) => !active.some((q) => q !== p && q.startsWith(`${p}/`)));
}
