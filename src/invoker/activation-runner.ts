import { StatusCode, type ActivationRecord } from '../domain/activation.js';
import type { ActivationMessage } from '../domain/activation-message.js';
import { isBlackbox } from '../domain/exec.js';
import type { SystemLimits } from '../domain/limits.js';
import type { Clock } from '../ports/clock.js';
import type { Container } from '../ports/container-factory.js';
import { buildRecord } from './record-builder.js';
import { interpretInit, interpretRun, type RunOutcome } from './run-outcome.js';

/** The longest we wait for the sentinels after a run (logs are flushed by the runtime right after its reply). */
const LOG_WAIT_MS = 2_000;

export interface RunContext {
  container: Container;
  cold: boolean;
  /** When the container was handed to this activation (waitTime ends here). */
  acquiredAt: number;
}

export interface RunResult {
  record: ActivationRecord;
  /** The container must be destroyed. */
  destroy: boolean;
  /** `/init` succeeded (the container may be reused). */
  initialized: boolean;
}

/**
 * Runs one activation in a container: `/init` when cold, `/run`, log collection, and the activation record.
 * Never throws for action failures: every outcome becomes a record.
 */
export async function runActivation(
  msg: ActivationMessage,
  ctx: RunContext,
  deps: { clock: Clock; limits: SystemLimits; apiHost: string },
  /** Called with the record minus logs as soon as the result is known (blocking callers need no logs). */
  onResult?: (record: ActivationRecord) => void,
): Promise<RunResult> {
  const { clock } = deps;
  const timeoutMs = msg.action.limits.timeout;
  const start = clock.now();
  let initTime: number | undefined;
  let outcome: RunOutcome | undefined;

  if (ctx.cold) {
    const init = await ctx.container.init({ value: initPayload(msg, deps.apiHost) }, timeoutMs);
    initTime = clock.now() - start;
    const failed = init.kind !== 'response' || init.statusCode !== 200;
    outcome = interpretInit(init, { timeoutMs, oom: failed && (await ctx.container.oomKilled()) });
  }
  const initialized = outcome === undefined;
  if (!outcome) {
    const run = await ctx.container.run(runPayload(msg, clock.now() + timeoutMs), timeoutMs);
    const failed = run.kind !== 'response';
    outcome = interpretRun(run, {
      timeoutMs,
      oom: failed && (await ctx.container.oomKilled()),
      maxResultBytes: deps.limits.maxResultBytes,
    });
  }
  const end = clock.now();

  const record = buildRecord(msg, {
    start,
    end,
    statusCode: outcome.statusCode,
    result: outcome.result,
    ...(outcome.size !== undefined ? { size: outcome.size } : {}),
    timedOut: outcome.timedOut,
    ...(initTime !== undefined ? { initTime } : {}),
    readyAt: ctx.acquiredAt,
  });
  onResult?.(record);

  const logs = await ctx.container.collectLogs({
    // Sentinels come only from a runtime that finished its run normally; blackbox images may not print them.
    waitForSentinels: outcome.statusCode !== StatusCode.DeveloperError && !isBlackbox(msg.action.exec),
    limitBytes: msg.action.limits.logs * 1024 * 1024,
    waitMs: LOG_WAIT_MS,
  });
  const lines = logs.lines;
  if (outcome.statusCode === StatusCode.DeveloperError) {
    lines.push(logLine(end, 'The action did not initialize or run as expected. Log data might be missing.'));
  }
  return { record: { ...record, logs: lines }, destroy: outcome.destroyContainer, initialized };
}

function initPayload(msg: ActivationMessage, apiHost: string): Record<string, unknown> {
  const exec = msg.action.exec;
  const code = 'code' in exec ? exec.code : undefined;
  const main = 'main' in exec && exec.main ? exec.main : 'main';
  const binary = 'binary' in exec ? exec.binary : false;
  return {
    name: msg.action.name,
    main,
    ...(code !== undefined ? { code } : {}),
    binary,
    env: {
      ...msg.action.initEnv,
      __OW_API_HOST: apiHost,
      __OW_NAMESPACE: msg.namespace,
      __OW_ACTION_NAME: `/${msg.action.namespace}/${msg.action.name}`,
      __OW_ACTION_VERSION: msg.action.version,
      __OW_ACTIVATION_ID: msg.activationId,
      __OW_TRANSACTION_ID: msg.transactionId,
    },
  };
}

function runPayload(msg: ActivationMessage, deadline: number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    value: msg.params ?? {},
    namespace: msg.namespace,
    action_name: `/${msg.action.namespace}/${msg.action.name}`,
    action_version: msg.action.version,
    activation_id: msg.activationId,
    transaction_id: msg.transactionId,
    deadline: String(deadline),
  };
  if (msg.idempotencyKey !== undefined) body.idempotency_key = msg.idempotencyKey;
  return body;
}

/** OpenWhisk's log line format: ISO time, stream, text. */
export function logLine(at: number, text: string, stream: 'stdout' | 'stderr' = 'stderr'): string {
  return `${new Date(at).toISOString()} ${stream}: ${text}`;
}
