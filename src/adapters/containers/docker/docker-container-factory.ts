import { Writable } from 'node:stream';
import Docker from 'dockerode';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { Container, ContainerFactory, ContainerSpec } from '../../../ports/container-factory.js';
import type { Logger } from '../../../ports/logger.js';
import { LogBuffer, type LogStream } from '../log-buffer.js';
import { RuntimeClient } from '../runtime-client.js';
import { type ContainerOwner, ownerIsDead, ownerLabels, pidAlive, thisProcess } from './container-owner.js';
import { DockerContainer, isNotFound } from './docker-container.js';

const RUNTIME_PORT = 8080;
const MiB = 1024 * 1024;

export interface DockerContainerFactoryOptions {
  socketPath: string;
  logger: Logger;
  /** Value of the `whirl.invoker` label on every container. */
  invokerId?: string;
  /** Network for actions with network access. */
  network?: string;
  /**
   * Network for actions without it: an `--internal` bridge (created on first use). `NetworkMode: none` would also
   * cut the invoker off from the runtime's port; an internal network keeps host→container traffic and nothing else.
   */
  isolatedNetwork?: string;
  /** The process labelled as the containers' owner (default: this one); tests stand in for other processes. */
  owner?: ContainerOwner;
}

/**
 * Action containers on a Docker engine. Hardening beyond OpenWhisk's defaults: all capabilities dropped,
 * no-new-privileges, read-only root with a tmpfs `/tmp`, swap disabled, pids and open files capped at 1024.
 * Logs are read from an attach stream opened before start, so no output is missed and no log file is polled.
 */
export class DockerContainerFactory implements ContainerFactory {
  private readonly docker: Docker;
  private readonly logger: Logger;
  private readonly invokerId: string;
  private readonly network: string;
  private readonly isolatedNetwork: string;
  private isolatedReady: Promise<void> | undefined;
  private readonly live = new Map<string, DockerContainer>();
  private readonly owner: ContainerOwner;

  constructor(options: DockerContainerFactoryOptions) {
    this.owner = options.owner ?? thisProcess;
    this.docker = new Docker({ socketPath: options.socketPath });
    this.logger = options.logger.child({ component: 'docker-containers' });
    this.invokerId = options.invokerId ?? 'whirl';
    this.network = options.network ?? 'bridge';
    this.isolatedNetwork = options.isolatedNetwork ?? 'whirl-isolated';
  }

  async create(spec: ContainerSpec): Promise<Container> {
    const networkName = spec.network ? this.network : this.isolatedNetwork;
    if (!spec.network) await this.ensureIsolatedNetwork();
    const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
    if (spec.concurrency > 1) env.push('__OW_ALLOW_CONCURRENT=true');

    const handle = await this.engine(`creating ${spec.name}`, () =>
      this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Env: env,
        Labels: {
          'whirl.invoker': this.invokerId,
          'whirl.kind': spec.kind,
          'whirl.name': spec.name,
          ...ownerLabels(this.owner),
        },
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        HostConfig: {
          Memory: spec.memoryMB * MiB,
          MemorySwap: spec.memoryMB * MiB,
          PidsLimit: 1024,
          Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }],
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          NetworkMode: networkName,
          ReadonlyRootfs: true,
          // The image's /tmp must be 1777 too: the tmpfs takes the mode of the directory it covers.
          Tmpfs: { '/tmp': `rw,nosuid,nodev,${tmpExec(spec.kind)},mode=1777,size=${spec.memoryMB}m` },
          LogConfig: { Type: 'none', Config: {} },
        },
      }),
    );

    try {
      const logs = new LogBuffer();
      const attached = await handle.attach({ stream: true, stdout: true, stderr: true });
      this.docker.modem.demuxStream(attached, sink(logs, 'stdout'), sink(logs, 'stderr'));
      attached.on('end', () => logs.end());
      attached.on('close', () => logs.end());
      attached.on('error', () => logs.end());

      await handle.start();
      const info = await handle.inspect();
      const ip = info.NetworkSettings.Networks[networkName]?.IPAddress || info.NetworkSettings.IPAddress;
      if (!ip) throw new Error(`container ${spec.name} has no address on network ${networkName}`);

      const client = new RuntimeClient({ origin: `http://${ip}:${RUNTIME_PORT}`, concurrency: spec.concurrency });
      const container = new DockerContainer(info.Id, spec.name, handle, client, logs, attached, () =>
        this.live.delete(spec.name),
      );
      this.live.set(spec.name, container);
      return container;
    } catch (err) {
      await handle.remove({ force: true }).catch(() => undefined);
      if (err instanceof WhirlError) throw err;
      throw new WhirlError('WHIRL_UNAVAILABLE', [`starting ${spec.name}: ${(err as Error).message}`], { cause: err });
    }
  }

  async cleanup(namePrefix: string): Promise<void> {
    // Our own containers first, through `destroy`, so their clients fail fast instead of talking to a vanished IP.
    const own = [...this.live.values()].filter((c) => c.name.startsWith(namePrefix));
    await Promise.all(own.map((c) => c.destroy().catch(() => undefined)));
    const all = await this.engine('listing containers', () =>
      this.docker.listContainers({ all: true, filters: { name: [namePrefix] } }),
    );
    // Docker's name filter matches substrings; only names that START with the prefix are ours.
    const stale = all.filter((c) => c.Names.some((n) => n.replace(/^\//, '').startsWith(namePrefix)));
    // And containers of any Whirl on this host that died without removing them (kill -9), whatever its invoker id.
    const labelled = await this.engine('listing containers', () =>
      this.docker.listContainers({ all: true, filters: { label: [`whirl.host=${this.owner.host}`] } }),
    );
    const orphans = labelled.filter((c) => ownerIsDead(c.Labels ?? {}, this.owner, pidAlive) && !stale.some((s) => s.Id === c.Id));
    if (orphans.length > 0) {
      this.logger.warn({ containers: orphans.length }, 'removing action containers left by a Whirl process that died');
    }
    stale.push(...orphans);
    await Promise.all(
      stale.map(async (c) => {
        try {
          await this.docker.getContainer(c.Id).remove({ force: true });
        } catch (err) {
          if (!isNotFound(err)) this.logger.warn({ err, container: c.Id }, 'removing leftover container failed');
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.live.values()].map((c) => c.destroy().catch(() => undefined)));
  }

  private ensureIsolatedNetwork(): Promise<void> {
    this.isolatedReady ??= (async () => {
      const existing = await this.engine('listing networks', () =>
        this.docker.listNetworks({ filters: { name: [this.isolatedNetwork] } }),
      );
      if (existing.some((n) => n.Name === this.isolatedNetwork)) return;
      try {
        await this.docker.createNetwork({ Name: this.isolatedNetwork, Driver: 'bridge', Internal: true });
      } catch (err) {
        // Another invoker created it first.
        if ((err as { statusCode?: unknown }).statusCode !== 409) throw err;
      }
    })().catch((err: unknown) => {
      this.isolatedReady = undefined;
      throw new WhirlError('WHIRL_UNAVAILABLE', [`creating network ${this.isolatedNetwork}: ${String(err)}`], {
        cause: err,
      });
    });
    return this.isolatedReady;
  }

  private async engine<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new WhirlError('WHIRL_UNAVAILABLE', [`docker: ${what}: ${(err as Error).message}`], { cause: err });
    }
  }
}

/**
 * `/tmp` is noexec, except for blackbox actions: their code may be a compiled `exec` (a zip action), which the
 * skeleton extracts to /tmp on the read-only root. Interpreted kinds never need to execute a file from /tmp.
 */
function tmpExec(kind: string): 'exec' | 'noexec' {
  return kind === 'blackbox' ? 'exec' : 'noexec';
}

function sink(logs: LogBuffer, stream: LogStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(stream, chunk);
      callback();
    },
  });
}
