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
/**
 * Blackbox images built on Whirl's skeleton (runtimes/blackbox) print the sentinels too, but any image may be a
 * blackbox action: the wait is short so one that never prints them costs little (logs are collected after the
 * result was sent, off the caller's path).
 */
const BLACKBOX_LOG_WAIT_MS = 500;

export interface RunContext {
  container: Container;
  cold: boolean;
  /** When the container was handed to this activation (waitTime ends here). */
  acquiredAt: number;
}

export interface RunResult {
  /** The record without logs (see `collectActivationLogs`). */
  record: ActivationRecord;
  /** The container must be destroyed. */
  destroy: boolean;
  /** `/init` succeeded (the container may be reused). */
  initialized: boolean;
  /** The action ended as a developer error (its runtime may not have printed the sentinels). */
  developerError: boolean;
  /** The runtime said the activation printed nothing (no sentinels to wait for). */
  quiet?: boolean;
}

/**
 * Runs one activation in a container: `/init` when cold, `/run`, and the activation record without its logs.
 * Never throws for action failures: every outcome becomes a record. Logs are collected separately, after the
 * container is back in the pool, so a slow log stream never holds a container.
 */
export async function runActivation(
  msg: ActivationMessage,
  ctx: RunContext,
  deps: { clock: Clock; limits: SystemLimits; apiHost: string },
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
  let quiet = false;
  if (!outcome) {
    const run = await ctx.container.run(runPayload(msg, clock.now() + timeoutMs), timeoutMs);
    quiet = run.kind === 'response' && run.quiet === true;
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
  const developerError = outcome.statusCode === StatusCode.DeveloperError;
  return { record, destroy: outcome.destroyContainer, initialized, developerError, quiet: quiet && !developerError };
}

/**
 * The activation's log lines: everything its runtime printed up to the end-of-activation sentinels. Calls for one
 * container must be made in the order its activations ran (the invoker chains them per container).
 */
export async function collectActivationLogs(
  container: Container,
  msg: ActivationMessage,
  result: RunResult,
): Promise<string[]> {
  if (result.quiet) return [];
  const logs = await container.collectLogs({
    // Sentinels come only from a runtime that finished its run normally; blackbox images may not print them.
    waitForSentinels: !result.developerError,
    limitBytes: msg.action.limits.logs * 1024 * 1024,
    waitMs: isBlackbox(msg.action.exec) ? BLACKBOX_LOG_WAIT_MS : LOG_WAIT_MS,
  });
  const lines = logs.lines;
  if (result.developerError) {
    lines.push(logLine(result.record.end, 'The action did not initialize or run as expected. Log data might be missing.'));
  }
  return lines;
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
