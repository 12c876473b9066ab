import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { CollectedLogs, Container, RuntimeResult } from '../../../ports/container-factory.js';
import type { Logger } from '../../../ports/logger.js';
import { LogBuffer } from '../log-buffer.js';
import { RuntimeClient } from '../runtime-client.js';

/** How long `oomKilled` waits for a dying process to report its exit. */
const EXIT_WAIT_MS = 1_000;
/** What V8 prints (on stderr) right before it aborts on a heap limit. */
const HEAP_OOM = 'heap out of memory';

/**
 * A runtime proxy running as a local child process: the embedded stand-in for a container. It shares the host's
 * kernel, filesystem and network, so it isolates nothing; memory is capped best-effort by V8's heap limit.
 */
export class ProcessContainer implements Container {
  readonly id: string;
  private readonly client: RuntimeClient;
  private readonly logs: LogBuffer;
  private exited = false;
  private exitSignal: NodeJS.Signals | null = null;
  private exitCode: number | null = null;
  private sawHeapOom = false;
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    port: number,
    concurrency: number,
    logs: LogBuffer,
    private readonly logger: Logger,
  ) {
    this.id = `process-${child.pid ?? 'unknown'}`;
    this.logs = logs;
    this.client = new RuntimeClient({ origin: `http://127.0.0.1:${port}`, concurrency });
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (!this.sawHeapOom && chunk.includes(HEAP_OOM)) this.sawHeapOom = true;
    });
    if (child.exitCode !== null || child.signalCode !== null) {
      this.exited = true;
    }
  }

  init(body: unknown, timeoutMs: number): Promise<RuntimeResult> {
    return this.client.init(body, timeoutMs, () => !this.exited);
  }

  run(body: unknown, timeoutMs: number): Promise<RuntimeResult> {
    return this.client.run(body, timeoutMs);
  }

  warmUp(timeoutMs: number): Promise<boolean> {
    return this.client.warmUp(timeoutMs);
  }

  collectLogs(options: { waitForSentinels: boolean; limitBytes: number; waitMs: number }): Promise<CollectedLogs> {
    return this.logs.collect(options);
  }

  async pause(): Promise<void> {
    this.signal('SIGSTOP');
  }

  async resume(): Promise<void> {
    this.signal('SIGCONT');
  }

  /** V8 aborts (SIGABRT, exit code 134 through a shell) after printing "heap out of memory". */
  async oomKilled(): Promise<boolean> {
    if (!this.exited) {
      await Promise.race([this.exitPromise, new Promise((r) => setTimeout(r, EXIT_WAIT_MS).unref())]);
    }
    if (!this.exited) return false;
    const aborted = this.exitSignal === 'SIGABRT' || this.exitCode === 134;
    return this.sawHeapOom || aborted;
  }

  async destroy(): Promise<void> {
    await this.client.close();
    if (!this.exited) {
      this.signal('SIGKILL');
      await this.exitPromise;
    }
    this.logs.end();
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      this.child.kill(sig);
    } catch (err) {
      this.logger.warn({ err, container: this.name, signal: sig }, 'signalling runtime process failed');
    }
  }
}

/** Resolves with the port the proxy reports over IPC once it listens; rejects if it dies or stays silent. */
export async function awaitPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const exit = once(child, 'exit', { signal: abort.signal }).then(([code, signal]) => {
      throw new Error(`runtime process exited (code ${String(code)}, signal ${String(signal)}) before listening`);
    });
    const message = once(child, 'message', { signal: abort.signal }).then(([m]) => m as { port?: unknown });
    // The loser of the race rejects with an AbortError when we clean up: not an unhandled rejection.
    exit.catch(() => undefined);
    message.catch(() => undefined);
    const m = await Promise.race([message, exit]);
    if (typeof m.port !== 'number') throw new Error('runtime process did not report its port');
    return m.port;
  } catch (err) {
    if (abort.signal.aborted) throw new Error(`runtime process did not listen within ${timeoutMs} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
