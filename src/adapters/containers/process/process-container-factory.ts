import { WhirlError } from '../../../errors/whirl-error.js';
import type { Container, ContainerFactory, ContainerSpec } from '../../../ports/container-factory.js';
import type { Logger } from '../../../ports/logger.js';
import { LogBuffer } from '../log-buffer.js';
import { ProcessContainer, type RuntimeEndpoint, awaitEndpoint } from './process-container.js';
import { type HostInterpreters, runtimeCommand } from './runtime-commands.js';
import { reapDeadClaims } from './sandbox/claims.js';
import { type SandboxHost, describeSandboxHost, probeSandboxHost } from './sandbox/host.js';
import { ProcessSandbox, type SandboxLimits, type SandboxedProcess } from './sandbox/sandbox.js';

export { DEFAULT_PROXY_PATH } from './runtime-commands.js';

const LISTEN_TIMEOUT_MS = 10_000;

export interface ProcessContainerFactoryOptions {
  proxyPath?: string;
  logger: Logger;
  /** Node binary for the runtimes; defaults to the one running Whirl. */
  nodePath?: string;
  /** Python 3 for python kinds (WHIRL_PYTHON); defaults to `python3` from /usr/local/bin, /usr/bin or /bin. */
  pythonPath?: string;
  /** What the host offers (probed when omitted); tests pass a reduced one to exercise the fallbacks. */
  host?: SandboxHost;
  /** Per-container process, open-file and CPU-time limits (default `SANDBOX_LIMITS`). */
  limits?: SandboxLimits;
}

/**
 * The embedded default: every "container" is a runtime proxy started as a sandboxed local process tree (no
 * Docker): bubblewrap namespaces, a uid of its own, memory and pids cgroups, rlimits — as far as the host allows
 * (`describeSandboxHost` says what is missing, once, at start). Each child gets a fresh environment (never the
 * invoker's own, which holds secrets), learns nothing but `spec.env`, and reports where it listens over IPC.
 * Containers a crashed Whirl left behind on this host are found through their claims and killed before the first
 * container starts.
 */
export class ProcessContainerFactory implements ContainerFactory {
  private readonly host: HostInterpreters;
  private readonly logger: Logger;
  private readonly live = new Map<string, ProcessContainer>();
  private readonly sandbox: ProcessSandbox;
  private readonly reaped: Promise<void>;

  constructor(options: ProcessContainerFactoryOptions) {
    this.host = {
      node: options.nodePath ?? process.execPath,
      python: options.pythonPath ?? 'python3',
      ...(options.proxyPath ? { nodejsProxy: options.proxyPath } : {}),
    };
    this.logger = options.logger.child({ component: 'process-containers' });
    const host = options.host ?? probeSandboxHost();
    this.sandbox = new ProcessSandbox(host, options.limits);
    const { ok, line } = describeSandboxHost(host);
    if (ok) this.logger.info({}, line);
    else this.logger.warn({}, line);
    this.reaped = reapDeadClaims(this.sandbox.claimStore).then(
      (n) => {
        if (n > 0) this.logger.warn({ containers: n }, 'removed process containers left by a Whirl that died');
      },
      (err: unknown) => this.logger.warn({ err }, 'looking for leftover process containers failed'),
    );
  }

  async create(spec: ContainerSpec): Promise<Container> {
    await this.reaped;
    const runtime = runtimeCommand(spec, this.host);
    // The sandbox gives each container a private TMPDIR and HOME (where zip actions are extracted), gone with it.
    const env: Record<string, string> = { ...spec.env, ...runtime.env, PORT: '0', HOST: '127.0.0.1' };
    if (spec.concurrency > 1) env.__OW_ALLOW_CONCURRENT = 'true';
    let sandboxed: SandboxedProcess;
    try {
      const command = { file: runtime.command, args: runtime.args, readPaths: runtime.readPaths };
      sandboxed = this.sandbox.launch(command, { memoryMB: spec.memoryMB, network: spec.network, env });
    } catch (err) {
      throw new WhirlError('WHIRL_UNAVAILABLE', [`runtime process for ${spec.name}: ${(err as Error).message}`], { cause: err });
    }
    const child = sandboxed.child;
    // The log buffer listens from the first byte, before the port is even known.
    const logs = new LogBuffer();
    let open = 2;
    const closed = () => {
      if (--open === 0) logs.end();
    };
    child.stdout?.on('data', (c: Buffer) => logs.push('stdout', c)).once('close', closed);
    child.stderr?.on('data', (c: Buffer) => logs.push('stderr', c)).once('close', closed);
    child.once('error', (err) => this.logger.warn({ err, container: spec.name }, 'runtime process error'));
    // What the process (or the sandbox tools around it) said before listening: the reason when it fails to start.
    let early = '';
    const noteEarly = (c: Buffer) => {
      if (early.length < 2_000) early += c.toString('utf8');
    };
    child.stderr?.on('data', noteEarly);

    let endpoint: RuntimeEndpoint;
    try {
      const reported = await awaitEndpoint(child, LISTEN_TIMEOUT_MS);
      // Never the path the process reports: only the socket in its own working directory.
      endpoint = 'port' in reported || !sandboxed.socketPath ? reported : { socket: sandboxed.socketPath };
      if ('socket' in endpoint && !sandboxed.socketPath) throw new Error('runtime process reported a socket it was not given');
    } catch (err) {
      await sandboxed.destroy();
      const said = early.trim() ? `: ${early.trim().slice(0, 500)}` : '';
      throw new WhirlError('WHIRL_UNAVAILABLE', [`runtime process for ${spec.name}: ${(err as Error).message}${said}`], {
        cause: err,
      });
    } finally {
      child.stderr?.off('data', noteEarly);
    }
    const container = new ProcessContainer(spec.name, sandboxed, endpoint, spec.concurrency, logs, this.logger);
    this.live.set(spec.name, container);
    // The runtime's death is the container's: whatever it started goes with it (the claim is released too).
    child.once('exit', () => {
      this.live.delete(spec.name);
      void sandboxed.destroy();
    });
    return container;
  }

  async cleanup(namePrefix: string): Promise<void> {
    await this.reaped;
    const stale = [...this.live.values()].filter((c) => c.name.startsWith(namePrefix));
    await Promise.all(stale.map((c) => c.destroy()));
  }

  async close(): Promise<void> {
    await this.cleanup('');
  }
}
