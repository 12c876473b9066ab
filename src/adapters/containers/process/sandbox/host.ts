import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UID_BASE } from './claims.js';
import { type CgroupLayout, detectCgroups } from './cgroup.js';

/** What this host offers process containers; probed once when the factory starts. */
export interface SandboxHost {
  /** Whirl runs as root, so each container gets a uid of its own. */
  root: boolean;
  /** bubblewrap, when it is installed and can create namespaces here. */
  bwrap: string | undefined;
  /** util-linux `prlimit`, to set rlimits on the container's first process. */
  prlimit: string | undefined;
  cgroups: CgroupLayout | undefined;
  /** Host-wide state: claims of live containers and their working directories. */
  stateDir: string;
  /** Top-level symlinks of merged-/usr systems (`/lib -> usr/lib`), recreated inside the sandbox. */
  rootLinks: Array<{ path: string; target: string }>;
}

export function probeSandboxHost(options: { cgroupParent?: string; stateDir?: string } = {}): SandboxHost {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const linux = process.platform === 'linux';
  const bwrap = linux ? which('bwrap') : undefined;
  return {
    root,
    bwrap: bwrap && bwrapWorks(bwrap, root) ? bwrap : undefined,
    prlimit: linux ? which('prlimit') : undefined,
    cgroups: linux && root ? detectCgroups(options.cgroupParent) : undefined,
    stateDir: options.stateDir ?? (root ? '/run/whirl-sandbox' : join(tmpdir(), `whirl-sandbox-${process.getuid?.() ?? 'user'}`)),
    rootLinks: ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'].flatMap((path) => {
      try {
        return lstatSync(path).isSymbolicLink() ? [{ path, target: readlinkSync(path) }] : [];
      } catch {
        return [];
      }
    }),
  };
}

/**
 * The one line `npm start` prints about process containers: what protects actions here, and what is missing and
 * what that means.
 */
export function describeSandboxHost(host: SandboxHost): { ok: boolean; line: string } {
  const missing: string[] = [];
  if (!host.bwrap) missing.push('bubblewrap (apt install bubblewrap): actions see the host filesystem as their user, `network: false` is not enforced');
  if (!host.root) missing.push('root: actions run as Whirl\'s own user and can read its files');
  if (!host.cgroups) missing.push(`writable cgroups: memory capped by RLIMIT_DATA${host.root ? '' : ', no process-count cap'}`);
  if (!host.prlimit) missing.push('prlimit: no open-file or CPU-time limits');
  const have = [
    host.bwrap ? 'bubblewrap namespaces' : undefined,
    host.root ? 'a uid per container' : undefined,
    host.cgroups ? `cgroup v${host.cgroups.version} memory+pids` : undefined,
    host.prlimit ? 'rlimits' : undefined,
  ].filter(Boolean);
  if (missing.length === 0) return { ok: true, line: `process containers: sandboxed (${have.join(', ')}); see docs/isolation.md` };
  return {
    ok: false,
    line: `process containers: WEAK sandbox (${have.join(', ') || 'private working directory only'}); missing ${missing.join('; ')} — see docs/isolation.md`,
  };
}

/** Directories of the shared libraries this Node process loaded: what a `node` runtime needs to start. */
export function loadedLibraryDirs(): string[] {
  try {
    const dirs = new Set<string>();
    for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const path = line.split(/\s+/)[5];
      if (path?.startsWith('/') && /\.so(\.|$)/.test(path)) dirs.add(dirname(path));
    }
    return [...dirs];
  } catch {
    return [];
  }
}

/** Fixed places only: a sandbox tool found through a caller-controlled PATH would defeat its purpose. */
function which(name: string): string | undefined {
  return ['/usr/bin', '/bin', '/usr/local/bin', '/usr/sbin'].map((dir) => join(dir, name)).find((p) => existsSync(p));
}

/** Installed is not enough: some hosts (containers, hardened kernels) refuse the namespaces it needs. */
function bwrapWorks(bwrap: string, root: boolean): boolean {
  const args = ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'];
  // As a container's uid would run it: unprivileged, so it needs user namespaces.
  const as = root ? { uid: UID_BASE - 1, gid: UID_BASE - 1 } : {};
  const r = spawnSync(bwrap, args, { stdio: 'ignore', timeout: 5_000, cwd: '/', ...as });
  return r.status === 0;
}
