import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { type ContainerCgroup, createContainerCgroup, killQuietly } from './cgroup.js';
import { type Claim, type ClaimStore, UID_BASE, killClaim, openClaimStore, pidsOfUid, startTime } from './claims.js';
import type { SandboxHost } from './host.js';

/**
 * How to start a runtime's proxy, as the runtime table describes it. The sandbox wraps this command, whatever the
 * runtime, so every kind gets the same protection.
 */
export interface SandboxCommand {
  file: string;
  args: string[];
  /** Host files and directories the runtime needs (its binary, libraries, proxy): bound read-only, nothing else. */
  readPaths: string[];
}

export interface SandboxSpec {
  memoryMB: number;
  network: boolean;
  env: Record<string, string>;
}

export interface SandboxLimits {
  pids: number;
  openFiles: number;
  cpuSeconds: number;
}

/** Per-container limits besides memory; pids and open files as Docker containers get. */
export const SANDBOX_LIMITS: SandboxLimits = {
  pids: 1024,
  openFiles: 1024,
  /** CPU seconds per process over its whole life (RLIMIT_CPU): a warm runtime past it is killed and replaced. */
  cpuSeconds: 3_600,
};

/** Inside bubblewrap: the container's private working directory (its HOME and cwd). */
const INSIDE_WORK = '/sandbox';
/**
 * Host files every runtime may read, when present: the ELF loader, name resolution, TLS roots, the loader cache,
 * time zones. No shell, no other binary.
 */
const SYSTEM_FILES = ['/lib64', '/usr/lib64', '/etc/ld.so.cache', '/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/ssl/certs', '/etc/localtime', '/usr/share/zoneinfo'];

/** One started container: its first process and what it takes to pause, inspect and kill all of it. */
export interface SandboxedProcess {
  child: ChildProcess;
  /** Set when the runtime serves on a Unix socket (a container without network): connect there, not to a port. */
  socketPath: string | undefined;
  pause(): void;
  resume(): void;
  oomKilled(): boolean;
  destroy(): Promise<void>;
}

export class ProcessSandbox {
  private readonly claims: ClaimStore;

  constructor(
    readonly host: SandboxHost,
    private readonly limits: SandboxLimits = SANDBOX_LIMITS,
  ) {
    this.claims = openClaimStore(host.stateDir);
  }

  get claimStore(): ClaimStore {
    return this.claims;
  }

  launch(command: SandboxCommand, spec: SandboxSpec): SandboxedProcess {
    const { host } = this;
    const claim = this.claims.claim((slot) => (host.root ? UID_BASE + slot : undefined));
    let cgroup: ContainerCgroup | undefined;
    let child: ChildProcess | undefined;
    try {
      const memoryBytes = spec.memoryMB * 1024 * 1024;
      if (host.cgroups) {
        cgroup = createContainerCgroup(host.cgroups, `whirl-sandbox-${claim.slot}`, { memoryBytes, pids: this.limits.pids });
        claim.cgroup = { version: host.cgroups.version, dirs: cgroup.dirs };
      }
      const isolatedNet = !spec.network && host.bwrap !== undefined;
      const inner = host.bwrap ? INSIDE_WORK : claim.workDir;
      const env: Record<string, string> = { ...spec.env, HOME: inner, TMPDIR: host.bwrap ? '/tmp' : join(inner, 'tmp') };
      if (!host.bwrap) makeOwnedDir(join(claim.workDir, 'tmp'), claim.uid);
      if (isolatedNet) env.WHIRL_RUNTIME_SOCKET = join(INSIDE_WORK, 'runtime.sock');

      let argv = [command.file, ...command.args];
      if (host.bwrap) argv = [host.bwrap, ...bwrapArgs(host, command, claim, spec, memoryBytes), ...argv];
      if (host.prlimit) argv = [host.prlimit, ...rlimitArgs(this.limits, claim, !host.cgroups, memoryBytes), '--', ...argv];
      // With cgroups, the first process waits (reading stdin) until Whirl has moved it into its groups, so that
      // nothing it starts can escape them.
      if (cgroup) argv = ['/bin/sh', '-c', 'read -r _ && exec "$@"', 'whirl-sandbox', ...argv];

      child = spawn(argv[0]!, argv.slice(1), {
        env,
        cwd: claim.workDir,
        stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
        // Its own process group, so a leftover can be killed as one even without a uid or cgroup of its own.
        detached: true,
        ...(claim.uid === undefined ? {} : { uid: claim.uid, gid: claim.uid }),
      });
      const pid = child.pid;
      if (pid === undefined) throw new Error(`cannot start ${argv[0]}`);
      claim.leader = { pid, start: startTime(pid) ?? '' };
      this.claims.update(claim);
      cgroup?.join(pid);
      child.stdin?.end('\n');
      return this.handle(child, claim, cgroup, isolatedNet ? join(claim.workDir, 'runtime.sock') : undefined);
    } catch (err) {
      if (child?.pid !== undefined) killQuietly(-child.pid, 'SIGKILL');
      void killClaim(claim).finally(() => this.claims.release(claim));
      throw err;
    }
  }

  private handle(child: ChildProcess, claim: Claim, cgroup: ContainerCgroup | undefined, socketPath: string | undefined): SandboxedProcess {
    const members = (): number[] => {
      if (cgroup) return cgroup.pids();
      if (claim.uid !== undefined) return pidsOfUid(claim.uid);
      return child.pid === undefined ? [] : [-child.pid];
    };
    const signalAll = (signal: NodeJS.Signals) => {
      // Until no new process shows up: one may be forking while we go through the list.
      const done = new Set<number>();
      for (let round = 0; round < 10; round++) {
        const fresh = members().filter((p) => !done.has(p));
        if (fresh.length === 0) return;
        for (const pid of fresh) {
          killQuietly(pid, signal);
          done.add(pid);
        }
      }
    };
    let destroyed: Promise<void> | undefined;
    // Read before the group is removed: the container is often destroyed as soon as its runtime dies.
    let oom: boolean | undefined;
    const oomKilled = () => oom ?? cgroup?.oomKilled() ?? false;
    return {
      child,
      socketPath,
      pause: () => signalAll('SIGSTOP'),
      resume: () => signalAll('SIGCONT'),
      oomKilled,
      destroy: () => {
        destroyed ??= (async () => {
          oom = oomKilled();
          if (child.pid !== undefined) killQuietly(-child.pid, 'SIGKILL');
          await killClaim(claim);
          this.claims.release(claim);
        })();
        return destroyed;
      },
    };
  }
}

function bwrapArgs(host: SandboxHost, command: SandboxCommand, claim: Claim, spec: SandboxSpec, memoryBytes: number): string[] {
  const args = ['--unshare-all', ...(spec.network ? ['--share-net'] : []), '--die-with-parent', '--new-session'];
  args.push('--cap-drop', 'ALL', '--proc', '/proc', '--dev', '/dev', '--size', String(memoryBytes), '--tmpfs', '/tmp');
  for (const link of host.rootLinks) args.push('--symlink', link.target, link.path);
  const linked = new Set(host.rootLinks.map((l) => l.path));
  for (const path of [...new Set([...command.readPaths, ...SYSTEM_FILES])]) {
    if (existsSync(path) && !linked.has(path)) args.push('--ro-bind', path, path);
  }
  args.push('--bind', claim.workDir, INSIDE_WORK, '--chdir', INSIDE_WORK);
  // Only the working directory and /tmp stay writable.
  args.push('--remount-ro', '/');
  return args;
}

function rlimitArgs(limits: SandboxLimits, claim: Claim, memoryByRlimit: boolean, memoryBytes: number): string[] {
  const both = (n: number) => `${n}:${n}`;
  const args = [`--nofile=${both(limits.openFiles)}`, `--cpu=${both(limits.cpuSeconds)}`, '--core=0'];
  // RLIMIT_NPROC counts every process of the uid: a bound per container only when the uid is the container's own.
  if (claim.uid !== undefined) args.push(`--nproc=${both(limits.pids)}`);
  // Without a memory cgroup, the data segment (private writable mappings: heap, buffers) stands in for resident memory.
  if (memoryByRlimit) args.push(`--data=${both(memoryBytes + 256 * 1024 * 1024)}`);
  return args;
}

function makeOwnedDir(dir: string, uid: number | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (uid !== undefined) chownSync(dir, uid, uid);
}
