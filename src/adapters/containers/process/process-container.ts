import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { CollectedLogs, Container, RuntimeResult } from '../../../ports/container-factory.js';
import type { Logger } from '../../../ports/logger.js';
import { LogBuffer } from '../log-buffer.js';
import { RuntimeClient } from '../runtime-client.js';
import type { SandboxedProcess } from './sandbox/sandbox.js';

/** How long `oomKilled` waits for a dying process to report its exit. */
const EXIT_WAIT_MS = 1_000;
/** What V8 prints (on stderr) right before it aborts on a heap limit. */
const HEAP_OOM = 'heap out of memory';

/** Where a runtime process serves: a loopback port, or a Unix socket (a sandboxed container without network). */
export type RuntimeEndpoint = { port: number } | { socket: string };

/**
 * A runtime proxy running as a sandboxed local process tree: the embedded stand-in for a container (see
 * `sandbox/sandbox.ts` for what isolates it). Pause, resume and destroy act on every process of the container.
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

  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    private readonly sandboxed: SandboxedProcess,
    endpoint: RuntimeEndpoint,
    concurrency: number,
    logs: LogBuffer,
    private readonly logger: Logger,
  ) {
    const child = sandboxed.child;
    this.child = child;
    this.id = `process-${child.pid ?? 'unknown'}`;
    this.logs = logs;
    this.client =
      'port' in endpoint
        ? new RuntimeClient({ origin: `http://127.0.0.1:${endpoint.port}`, concurrency })
        : new RuntimeClient({ origin: 'http://localhost', concurrency, socketPath: endpoint.socket });
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

  /** Stops every process of the container (SIGSTOP: unlike a frozen cgroup, a stopped process still dies of SIGKILL). */
  async pause(): Promise<void> {
    this.everyProcess(() => this.sandboxed.pause(), 'SIGSTOP');
  }

  async resume(): Promise<void> {
    this.everyProcess(() => this.sandboxed.resume(), 'SIGCONT');
  }

  /**
   * The kernel's OOM killer hit the container's memory cgroup (resident memory), or V8 aborted on its heap limit
   * (SIGABRT, exit code 134 through a shell, after printing "heap out of memory").
   */
  async oomKilled(): Promise<boolean> {
    if (!this.exited) {
      await Promise.race([this.exitPromise, new Promise((r) => setTimeout(r, EXIT_WAIT_MS).unref())]);
    }
    if (this.sandboxed.oomKilled()) return true;
    if (!this.exited) return false;
    const aborted = this.exitSignal === 'SIGABRT' || this.exitCode === 134;
    return this.sawHeapOom || aborted;
  }

  async destroy(): Promise<void> {
    await this.client.close();
    await this.sandboxed.destroy();
    if (!this.exited) await this.exitPromise;
    this.logs.end();
  }

  private everyProcess(act: () => void, sig: NodeJS.Signals): void {
    try {
      act();
    } catch (err) {
      this.logger.warn({ err, container: this.name, signal: sig }, 'signalling runtime process failed');
    }
  }
}

/** Resolves with where the proxy reports (over IPC) it listens; rejects if it dies or stays silent. */
export async function awaitEndpoint(child: ChildProcess, timeoutMs: number): Promise<RuntimeEndpoint> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const exit = once(child, 'exit', { signal: abort.signal }).then(([code, signal]) => {
      throw new Error(`runtime process exited (code ${String(code)}, signal ${String(signal)}) before listening`);
    });
    const message = once(child, 'message', { signal: abort.signal }).then(([m]) => m as { port?: unknown; socket?: unknown });
    // The loser of the race rejects with an AbortError when we clean up: not an unhandled rejection.
    exit.catch(() => undefined);
    message.catch(() => undefined);
    const m = await Promise.race([message, exit]);
    if (typeof m.socket === 'string') return { socket: m.socket };
    if (typeof m.port !== 'number') throw new Error('runtime process did not report its port');
    return { port: m.port };
  } catch (err) {
    if (abort.signal.aborted) throw new Error(`runtime process did not listen within ${timeoutMs} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
