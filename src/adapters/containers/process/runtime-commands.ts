import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HOST_RUNTIMES, isBlackboxSkeleton } from '../../../domain/host-runtimes.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { ContainerSpec } from '../../../ports/container-factory.js';

/**
 * Which runtime proxy a process "container" runs, by kind: the same proxies the runtime images hold, started with
 * the host's interpreters. Every proxy listens on PORT=0 and reports its port over the IPC channel (fd 3).
 *
 * - `nodejs:*` → `node --max-old-space-size=<memory> runtimes/nodejs/proxy.mjs`
 * - `python:*` → `python3 runtimes/python/proxy.py` (the host's python3, WHIRL_PYTHON)
 * - `blackbox` with Whirl's skeleton image (`whirl/runtime-blackbox`, any tag) → `node runtimes/blackbox/proxy.mjs`:
 *   the action's script or zipped `exec` runs on the host. Any other image needs a container engine.
 */
const RUNTIMES_DIR = new URL('../../../../runtimes/', import.meta.url);
export const DEFAULT_PROXY_PATH = fileURLToPath(new URL('nodejs/proxy.mjs', RUNTIMES_DIR));
const PYTHON_PROXY_PATH = fileURLToPath(new URL('python/proxy.py', RUNTIMES_DIR));
const BLACKBOX_PROXY_PATH = fileURLToPath(new URL('blackbox/proxy.mjs', RUNTIMES_DIR));
const BLACKBOX_STUB_PATH = fileURLToPath(new URL('blackbox/exec.stub', RUNTIMES_DIR));
/** Where a bare interpreter name is looked up (the runtimes get no PATH of the invoker's). */
const SEARCH_PATH = ['/usr/local/bin', '/usr/bin', '/bin'];

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
}

/** The command line for `spec`, or a WhirlError naming what is missing (a container engine, an interpreter). */
export function runtimeCommand(spec: ContainerSpec, host: HostInterpreters): RuntimeCommand {
  const family = spec.kind.split(':')[0];
  if (family === 'nodejs') {
    return { command: host.node, args: [`--max-old-space-size=${spec.memoryMB}`, host.nodejsProxy ?? DEFAULT_PROXY_PATH], env: {} };
  }
  if (family === 'python') {
    return { command: interpreter(host.python, spec.kind, 'WHIRL_PYTHON'), args: [PYTHON_PROXY_PATH], env: {} };
  }
  if (spec.kind === 'blackbox' && isBlackboxSkeleton(spec.image)) {
    return {
      command: host.node,
      args: [`--max-old-space-size=${spec.memoryMB}`, BLACKBOX_PROXY_PATH],
      env: { WHIRL_IMAGE_EXEC: BLACKBOX_STUB_PATH, PATH: SEARCH_PATH.join(':') },
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
