import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST_RUNTIMES, isBlackboxSkeleton } from '../../../domain/host-runtimes.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { ContainerSpec } from '../../../ports/container-factory.js';
import { loadedLibraryDirs } from './sandbox/host.js';

/**
 * Which runtime proxy a process "container" runs, by kind: the same proxies the runtime images hold, started with
 * the host's interpreters. Every proxy listens on PORT=0 and reports its port over the IPC channel (fd 3).
 *
 * - `nodejs:*` → `node --max-old-space-size=<memory> runtimes/nodejs/proxy.mjs`
 * - `python:*` → `python3 runtimes/python/proxy.py` (the host's python3, WHIRL_PYTHON)
 * - `blackbox` with Whirl's skeleton image (`whirl/runtime-blackbox`, any tag) → `node runtimes/blackbox/proxy.mjs`:
 *   the action's script or zipped `exec` runs on the host. Any other image needs a container engine.
 *
 * Each command also names the host files its runtime needs (`readPaths`): in the sandbox they are all it sees,
 * read-only.
 * - nodejs: the node binary, the directories of the libraries it loads, Whirl's `runtimes/` directory.
 * - python: the interpreter, its standard library and site directories (`sys.prefix`, `sys.path`), the directories
 *   of its shared libraries, `runtimes/`.
 * - blackbox: node and `runtimes/`, plus `/usr`, `/bin`, `/lib`: its actions are shell scripts or binaries, so a
 *   shell and the host's programs are inside (docs/isolation.md).
 */
const RUNTIMES_DIR = new URL('../../../../runtimes/', import.meta.url);
const RUNTIMES_PATH = fileURLToPath(RUNTIMES_DIR).replace(/\/$/, '');
export const DEFAULT_PROXY_PATH = fileURLToPath(new URL('nodejs/proxy.mjs', RUNTIMES_DIR));
const PYTHON_PROXY_PATH = fileURLToPath(new URL('python/proxy.py', RUNTIMES_DIR));
const BLACKBOX_PROXY_PATH = fileURLToPath(new URL('blackbox/proxy.mjs', RUNTIMES_DIR));
const BLACKBOX_STUB_PATH = fileURLToPath(new URL('blackbox/exec.stub', RUNTIMES_DIR));
/** Where a bare interpreter name is looked up (the runtimes get no PATH of the invoker's). */
const SEARCH_PATH = ['/usr/local/bin', '/usr/bin', '/bin'];
/** What a blackbox action's script or binary may use: the host's programs and libraries. */
const BLACKBOX_SYSTEM_PATHS = ['/usr', '/bin', '/lib', '/lib64', '/sbin'];

export interface HostInterpreters {
  /** Node binary for nodejs and blackbox runtimes. */
  node: string;
  /** Python 3 interpreter for python runtimes: a path, or a name looked up in /usr/local/bin, /usr/bin, /bin. */
  python: string;
  /** Overrides the nodejs proxy (tests). */
  nodejsProxy?: string;
}

export interface RuntimeCommand {
  command: string;
  args: string[];
  /** Added to the runtime's environment. */
  env: Record<string, string>;
  /** Host files and directories the runtime reads (the sandbox binds these read-only, and nothing else). */
  readPaths: string[];
}

/** The command line for `spec`, or a WhirlError naming what is missing (a container engine, an interpreter). */
export function runtimeCommand(spec: ContainerSpec, host: HostInterpreters): RuntimeCommand {
  const family = spec.kind.split(':')[0];
  if (family === 'nodejs') {
    const proxy = host.nodejsProxy ?? DEFAULT_PROXY_PATH;
    // The whole runtimes/ directory: proxies load shared helpers from beside them (runtimes/lib).
    const readPaths = [...nodePaths(host.node), dirname(dirname(proxy))];
    return { command: host.node, args: [`--max-old-space-size=${spec.memoryMB}`, proxy], env: {}, readPaths };
  }
  if (family === 'python') {
    const python = interpreter(host.python, spec.kind, 'WHIRL_PYTHON');
    return { command: python, args: [PYTHON_PROXY_PATH], env: {}, readPaths: [...pythonPaths(python), RUNTIMES_PATH] };
  }
  if (spec.kind === 'blackbox' && isBlackboxSkeleton(spec.image)) {
    return {
      command: host.node,
      args: [`--max-old-space-size=${spec.memoryMB}`, BLACKBOX_PROXY_PATH],
      env: { WHIRL_IMAGE_EXEC: BLACKBOX_STUB_PATH, PATH: SEARCH_PATH.join(':') },
      readPaths: [...nodePaths(host.node), RUNTIMES_PATH, ...BLACKBOX_SYSTEM_PATHS],
    };
  }
  if (spec.kind === 'blackbox') throw new WhirlError('WHIRL_CONTAINER_ENGINE_REQUIRED', [spec.image, HOST_RUNTIMES]);
  throw new WhirlError('WHIRL_UNAVAILABLE', [`the '${spec.kind}' kind has no runtime for process containers`]);
}

function interpreter(name: string, kind: string, setting: string): string {
  const candidates = name.includes('/') ? [name] : SEARCH_PATH.map((dir) => `${dir}/${name}`);
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      /* next candidate */
    }
  }
  throw new WhirlError('WHIRL_UNAVAILABLE', [
    `'${kind}' actions run on the host's ${name}, which is not installed (${candidates.join(', ')}); install it or set ${setting}`,
  ]);
}

/** A binary and the directories of the shared libraries it loads. */
function binaryPaths(binary: string): string[] {
  const paths = [binary, realpathOr(binary)];
  // The Node binary running Whirl: what it has actually loaded; any other binary: what the loader says.
  if (binary === process.execPath) return [...paths, ...loadedLibraryDirs()];
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8', timeout: 5_000 });
  // Canonical: /lib is often a link to usr/lib, and the sandbox binds real directories.
  for (const m of (ldd.stdout ?? '').matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) paths.push(dirname(realpathOr(m[1]!)));
  return paths;
}

const nodePaths = memo(binaryPaths);

/** The interpreter, its libraries, and where its standard library and site packages live, asked once per path. */
const pythonPaths = memo((python: string): string[] => {
  const paths = binaryPaths(python);
  const probe = spawnSync(python, ['-c', 'import json, sys; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix] + sys.path))'], {
    encoding: 'utf8',
    timeout: 10_000,
    env: {},
  });
  try {
    const dirs = JSON.parse(probe.stdout ?? '') as unknown;
    if (!Array.isArray(dirs)) throw new Error('not a list');
    // The prefixes themselves (often /usr) are too wide: only their lib/ python directories and sys.path entries.
    const [prefix, basePrefix, execPrefix, ...path] = dirs as string[];
    for (const p of new Set([prefix, basePrefix, execPrefix])) if (p) paths.push(realpathOr(`${p}/lib/python3`));
    paths.push(...path.filter((p) => typeof p === 'string' && p.startsWith('/')).map(realpathOr));
  } catch {
    // Not a python that answers (a test's stand-in): the directory beside its bin/.
    paths.push(`${dirname(dirname(realpathOr(python)))}/lib`);
  }
  return paths;
});

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function memo(f: (key: string) => string[]): (key: string) => string[] {
  const cache = new Map<string, string[]>();
  return (key) => {
    let v = cache.get(key);
    if (!v) cache.set(key, (v = [...new Set(f(key))]));
    return v;
  };
}
