import type { ActivationMessage, CompletionMessage } from '../../src/domain/activation-message.js';
import { StatusCode } from '../../src/domain/activation.js';
import { newActivationId, newTransactionId } from '../../src/domain/ids.js';
import type { Logger } from '../../src/ports/logger.js';
import { Redis } from 'ioredis';

/** Test doubles and polling helpers shared by the ActivationQueue contract suite and adapter-specific tests. */

export function activationMessage(overrides: Partial<ActivationMessage> = {}): ActivationMessage {
  return {
    activationId: newActivationId(),
    transactionId: newTransactionId(),
    namespace: 'guest',
    subject: 'guest',
    action: {
      namespace: 'guest/pkg',
      name: 'hello',
      version: '0.0.3',
      revision: '3-abc',
      exec: { kind: 'nodejs:20', code: 'function main(p) { return p }', binary: false },
      limits: { timeout: 60_000, memory: 256, logs: 10, concurrency: 1 },
      annotations: [{ key: 'exec', value: 'nodejs:20' }],
      initEnv: { SECRET_INIT: 'x' },
    },
    params: { name: 'Zoë', nested: { list: [1, 2, 3], nil: null } },
    replyTo: 'api-0',
    acceptedAt: Date.now(),
    cause: newActivationId(),
    ...overrides,
  };
}

export function completionMessage(activationId = newActivationId()): CompletionMessage {
  const start = Date.now();
  return {
    activationId,
    namespace: 'guest',
    record: {
      namespace: 'guest',
      name: 'pkg/hello',
      version: '0.0.3',
      subject: 'guest',
      activationId,
      start,
      end: start + 5,
      duration: 5,
      response: { statusCode: StatusCode.Success, result: { ok: true } },
      logs: ['2024-01-01T00:00:00.000Z stdout: hi'],
      annotations: [{ key: 'kind', value: 'nodejs:20' }],
      publish: false,
    },
  };
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string | undefined;
}

/** A Logger that keeps what it is told, so tests can check that an adapter logged a failure. */
export function recordingLogger(entries: LogEntry[] = [], bindings: object = {}): Logger & { entries: LogEntry[] } {
  const at =
    (level: LogEntry['level']) =>
    (fields: object, msg?: string): void => {
      entries.push({ level, fields: { ...bindings, ...fields }, msg });
    };
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more: object) => recordingLogger(entries, { ...bindings, ...more }),
  };
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(10);
  }
}

/** Rejects with `what` if `p` has not settled within `timeoutMs`. */
export async function within<T>(what: string, p: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Removes every key of the test's queue (BullMQ keeps meta, id counter and event stream). */
export async function deleteQueueKeys(redisUrl: string, queueName: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    // The shared queue and every per-invoker queue (`<queueName>-work-inv-<id>`).
    for (const pattern of [`bull:${queueName}-work:*`, `bull:${queueName}-work-inv-*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    await redis.quit();
  }
}
