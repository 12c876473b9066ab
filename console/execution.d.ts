// Types for the tests (test/unit/console-execution.test.ts); the console itself is plain JS with no build step.
export declare const TERMINAL: Set<string>;
export interface StepRow {
  kind: 'task' | 'wait';
  path: string;
  status: string;
  at: number;
  activationId?: string;
  attempt?: number;
  duration?: number;
  resumeAt?: number;
  error?: { name: string; cause?: unknown };
}
export declare function replay(history: ReadonlyArray<Record<string, unknown>>, status?: string): { nodes: Map<string, string>; steps: StepRow[] };
export declare function currentSteps(nodes: Map<string, string>): string[];
