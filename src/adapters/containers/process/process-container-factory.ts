import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { Container, ContainerFactory, ContainerSpec } from '../../../ports/container-factory.js';
import type { Logger } from '../../../ports/logger.js';
import { LogBuffer } from '../log-buffer.js';
import { ProcessContainer, awaitPort } from './process-container.js';
import { type HostInterpreters, runtimeCommand } from './runtime-commands.js';

export { DEFAULT_PROXY_PATH } from './runtime-commands.js';

const LISTEN_TIMEOUT_MS = 10_000;

export interface ProcessContainerFactoryOptions {
  proxyPath?: string;
  logger: Logger;
  /** Node binary for the runtimes; defaults to the one running Whirl. */
  nodePath?: string;
  /** Python 3 for python kinds (WHIRL_PYTHON); defaults to `python3` from /usr/local/bin, /usr/bin or /bin. */
  pythonPath?: string;
}

/**
 * The embedded default: every "container" is `node proxy.mjs` as a child process (no Docker, no isolation beyond
 * the OS user). Each child gets a fresh environment (never the invoker's own, which holds secrets), learns nothing
 * but `spec.env`, and reports its port over IPC. Children exit when the IPC channel closes, so a crashed invoker
 * leaves none behind; `cleanup` therefore only has this factory's own children to consider.
 */
export class ProcessContainerFactory implements ContainerFactory {
  private readonly host: HostInterpreters;
  private readonly logger: Logger;
  private readonly live = new Map<string, ProcessContainer>();

  constructor(options: ProcessContainerFactoryOptions) {
    this.host = {
      node: options.nodePath ?? process.execPath,
      python: options.pythonPath ?? 'python3',
      ...(options.proxyPath ? { nodejsProxy: options.proxyPath } : {}),
    };
    this.logger = options.logger.child({ component: 'process-containers' });
  }

  async create(spec: ContainerSpec): Promise<Container> {
    const runtime = runtimeCommand(spec, this.host);
    // Each runtime gets its own temp dir (TMPDIR), where zip actions are extracted; removed when it exits.
    const workDir = mkdtempSync(join(tmpdir(), 'whirl-runtime-'));
    const env: Record<string, string> = { ...spec.env, ...runtime.env, PORT: '0', HOST: '127.0.0.1', TMPDIR: workDir };
    if (spec.concurrency > 1) env.__OW_ALLOW_CONCURRENT = 'true';
    const child = spawn(runtime.command, runtime.args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // Asynchronously: an extracted zip action (node_modules, a virtualenv) is many files.
    child.once('close', () => void rm(workDir, { recursive: true, force: true }).catch(() => undefined));
    // The log buffer listens from the first byte, before the port is even known.
    const logs = new LogBuffer();
    let open = 2;
    const closed = () => {
      if (--open === 0) logs.end();
    };
    child.stdout?.on('data', (c: Buffer) => logs.push('stdout', c)).once('close', closed);
    child.stderr?.on('data', (c: Buffer) => logs.push('stderr', c)).once('close', closed);
    child.once('error', (err) => this.logger.warn({ err, container: spec.name }, 'runtime process error'));

    let port: number;
    try {
      port = await awaitPort(child, LISTEN_TIMEOUT_MS);
    } catch (err) {
      child.kill('SIGKILL');
      throw new WhirlError('WHIRL_UNAVAILABLE', [`runtime process for ${spec.name}: ${(err as Error).message}`], {
        cause: err,
      });
    }
    const container = new ProcessContainer(spec.name, child, port, spec.concurrency, logs, this.logger);
    this.live.set(spec.name, container);
    child.once('exit', () => this.live.delete(spec.name));
    return container;
  }

  async cleanup(namePrefix: string): Promise<void> {
    const stale = [...this.live.values()].filter((c) => c.name.startsWith(namePrefix));
    await Promise.all(stale.map((c) => c.destroy()));
  }

  async close(): Promise<void> {
    await this.cleanup('');
  }
}
