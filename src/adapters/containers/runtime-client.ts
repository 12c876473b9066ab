import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, type Dispatcher, Pool } from 'undici';
import type { RuntimeResult } from '../../ports/container-factory.js';

export interface RuntimeClientOptions {
  /** e.g. `http://127.0.0.1:41234` or `http://172.17.0.5:8080`. */
  origin: string;
  /** Parallel `/run`s the action allows: one keep-alive connection each. */
  concurrency: number;
  /** Connect to this Unix socket instead of the origin's host and port (the origin still names the Host header). */
  socketPath?: string;
}

/** Errors that mean "nobody is listening yet": `init` keeps trying until its timeout. */
const BOOTING = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);
const RETRY_EVERY_MS = 5;

/**
 * The HTTP side of the runtime protocol for one container: `POST /init` and `POST /run` with JSON bodies over
 * keep-alive connections (undici, no pipelining: a runtime handles one request per connection at a time). Measured
 * against node:http with a keep-alive agent: equal or faster at p50 (~0.05 ms on loopback), tighter p99.
 *
 * Never throws for runtime misbehaviour: every outcome is a `RuntimeResult` (the invoker interprets the body).
 * A request past its timeout is aborted, which also drops its connection.
 */
export class RuntimeClient {
  private readonly pool: Client | Pool;

  constructor(options: RuntimeClientOptions) {
    const settings = {
      pipelining: 1,
      // Paused containers keep their connections; nothing on the runtime side times them out either.
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      // Our own timer bounds each request (undici's coarse timers would blur short action timeouts).
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(options.socketPath ? { socketPath: options.socketPath } : {}),
    };
    // Measured on loopback: a single Client is ~10% faster than a 1-connection Pool, with a much tighter p99.
    this.pool =
      options.concurrency > 1
        ? new Pool(options.origin, { ...settings, connections: options.concurrency })
        : new Client(options.origin, settings);
  }

  /**
   * `POST /init`, retrying connection failures every few ms until `timeoutMs` (the runtime may still be booting).
   * `alive` lets the container stop the retries early once it knows the runtime died.
   */
  async init(body: unknown, timeoutMs: number, alive: () => boolean = () => true): Promise<RuntimeResult> {
    const started = performance.now();
    const deadline = started + timeoutMs;
    const payload = JSON.stringify(body);
    for (;;) {
      const result = await this.post('/init', payload, deadline - performance.now());
      const elapsed = performance.now() - started;
      if (result.kind !== 'connection-error' || !BOOTING.has(result.code) || !alive()) {
        return { ...strip(result), durationMs: elapsed };
      }
      if (performance.now() + RETRY_EVERY_MS >= deadline) return { kind: 'timeout', durationMs: elapsed };
      await sleep(RETRY_EVERY_MS);
    }
  }

  /**
   * `GET /` until any HTTP answer (the proxies answer 404 without printing anything), retrying while nobody listens
   * yet: the connection stays open and the runtime's HTTP path is warm for the first `/init`.
   */
  async warmUp(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), Math.max(1, deadline - performance.now()));
      try {
        const res = await this.pool.request({ path: '/', method: 'GET', signal: abort.signal });
        await res.body.text();
        return true;
      } catch (err) {
        if (abort.signal.aborted || !BOOTING.has(errorCode(err))) return false;
      } finally {
        clearTimeout(timer);
      }
      if (performance.now() + RETRY_EVERY_MS >= deadline) return false;
      await sleep(RETRY_EVERY_MS);
    }
  }

  async run(body: unknown, timeoutMs: number): Promise<RuntimeResult> {
    return strip(await this.post('/run', JSON.stringify(body), timeoutMs));
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => undefined);
  }

  /**
   * One POST through undici's dispatch API with a handler of our own: no body stream, no AbortSignal, no response
   * object — measured at ~75 µs of CPU per `/run` on loopback against ~130 µs through `request()`, and ~50 µs less
   * latency. A request past `timeoutMs` is aborted, which drops its connection.
   */
  private post(path: string, payload: string, timeoutMs: number): Promise<Attempt> {
    const started = performance.now();
    return new Promise<Attempt>((resolve) => {
      let controller: Dispatcher.DispatchController | undefined;
      let timedOut = false;
      let statusCode = 0;
      let quiet = false;
      const chunks: Buffer[] = [];
      const finish = (attempt: Attempt) => {
        clearTimeout(timer);
        resolve(attempt); // the first outcome wins: after a timeout, the aborted request's error is ignored
      };
      const timer = setTimeout(() => {
        timedOut = true;
        finish({ kind: 'timeout', durationMs: performance.now() - started }); // before abort, which reports an error
        controller?.abort(new Error('timeout'));
      }, Math.max(1, timeoutMs));
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c;
          if (timedOut) c.abort(new Error('timeout')); // timed out while queued behind another request
        },
        onResponseStart(_c, status, headers) {
          statusCode = status;
          quiet = headers['x-whirl-logs'] === 'none';
        },
        onResponseData(_c, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          const durationMs = performance.now() - started;
          finish(
            quiet
              ? { kind: 'response', statusCode, body, durationMs, quiet: true }
              : { kind: 'response', statusCode, body, durationMs },
          );
        },
        onResponseError(_c, err) {
          finish({ kind: 'connection-error', message: describe(err), code: errorCode(err), durationMs: performance.now() - started });
        },
      };
      try {
        this.pool.dispatch({ path, method: 'POST', headers: JSON_HEADERS, body: payload }, handler);
      } catch (err) {
        finish({ kind: 'connection-error', message: describe(err), code: errorCode(err), durationMs: performance.now() - started });
      }
    });
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

type Attempt =
  | Exclude<RuntimeResult, { kind: 'connection-error' }>
  | { kind: 'connection-error'; message: string; code: string; durationMs: number };

function strip(a: Attempt): RuntimeResult {
  if (a.kind !== 'connection-error') return a;
  return { kind: 'connection-error', message: a.message, durationMs: a.durationMs };
}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function describe(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | undefined;
  const code = errorCode(err);
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return code === 'UNKNOWN' || message.includes(code) ? message : `${code}: ${message}`;
}
