import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Control groups for process containers: a resident-memory cap (swap included), a process-count cap, an OOM counter
 * and "every process of this container". cgroup v2 (one directory) and v1 (one directory per controller: memory,
 * pids) are both handled. Whirl creates its groups below the group it runs in (or below an operator-given directory),
 * so whatever bounds Whirl itself still bounds its actions.
 */
export interface CgroupLayout {
  version: 1 | 2;
  /** v2: [parent]; v1: [memory parent, pids parent]. Whirl creates one child per container under each. */
  parents: string[];
}

export interface ContainerCgroup {
  readonly dirs: string[];
  /** Moves a process (and so every process it starts later) into the group. */
  join(pid: number): void;
  /** Host pids of every process in the group. */
  pids(): number[];
  /** Whether the kernel's OOM killer killed a process of the group. */
  oomKilled(): boolean;
  /** Kills every process, waits until the group is empty (bounded), removes it. */
  destroy(): Promise<void>;
}

const ROOT = '/sys/fs/cgroup';

/** Where this process's own cgroups are, as far as they are writable; undefined when they are not. */
export function detectCgroups(explicitParent?: string): CgroupLayout | undefined {
  try {
    if (explicitParent) {
      return writableParents(existsSync(join(explicitParent, 'cgroup.controllers')) ? 2 : 1, [explicitParent]);
    }
    const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
    if (existsSync(join(ROOT, 'cgroup.controllers'))) {
      const path = own.find((l) => l.startsWith('0::'))?.slice(3);
      return path === undefined ? undefined : writableParents(2, [join(ROOT, path)]);
    }
    const of = (controller: string) => {
      const line = own.find((l) => l.split(':')[1]?.split(',').includes(controller));
      return line === undefined ? undefined : join(ROOT, controller, line.split(':').slice(2).join(':'));
    };
    const memory = of('memory');
    const pids = of('pids');
    return memory && pids ? writableParents(1, [memory, pids]) : undefined;
  } catch {
    return undefined;
  }
}

/** Probes by creating (and removing) a child group with the controllers Whirl needs. */
function writableParents(version: 1 | 2, parents: string[]): CgroupLayout | undefined {
  const probe = parents.map((p) => join(p, `whirl-probe-${process.pid}`));
  try {
    if (version === 2) {
      const enabled = readFileSync(join(parents[0]!, 'cgroup.subtree_control'), 'utf8');
      if (!/\bmemory\b/.test(enabled) || !/\bpids\b/.test(enabled)) {
        writeFileSync(join(parents[0]!, 'cgroup.subtree_control'), '+memory +pids');
      }
    }
    for (const dir of probe) mkdirSync(dir);
    const files = version === 2 ? ['memory.max', 'pids.max'] : ['memory.limit_in_bytes', 'pids.max'];
    if (!files.every((f, i) => existsSync(join(probe[version === 2 ? 0 : i]!, f)))) return undefined;
    return { version, parents };
  } catch {
    return undefined;
  } finally {
    for (const dir of probe) tryRmdir(dir);
  }
}

export function createContainerCgroup(layout: CgroupLayout, name: string, limits: { memoryBytes: number; pids: number }): ContainerCgroup {
  const dirs = layout.parents.map((p) => join(p, name));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  const [memDir, pidsDir] = layout.version === 2 ? [dirs[0]!, dirs[0]!] : [dirs[0]!, dirs[1]!];
  if (layout.version === 2) {
    writeFileSync(join(memDir, 'memory.max'), String(limits.memoryBytes));
    tryWrite(join(memDir, 'memory.swap.max'), '0');
  } else {
    writeFileSync(join(memDir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    tryWrite(join(memDir, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
  }
  writeFileSync(join(pidsDir, 'pids.max'), String(limits.pids));
  return openContainerCgroup(layout.version, dirs);
}

/** A group that exists already (a dead Whirl's leftover, found in its claim). */
export function openContainerCgroup(version: 1 | 2, dirs: string[]): ContainerCgroup {
  const [memDir, pidsDir] = version === 2 ? [dirs[0]!, dirs[0]!] : [dirs[0]!, dirs[1] ?? dirs[0]!];
  const pids = () => {
    const all = new Set<number>();
    for (const dir of dirs) {
      try {
        for (const l of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (l) all.add(Number(l));
      } catch {
        /* already removed */
      }
    }
    return [...all];
  };
  return {
    dirs,
    join(pid) {
      for (const dir of dirs) writeFileSync(join(dir, 'cgroup.procs'), String(pid));
    },
    pids,
    oomKilled() {
      try {
        const text = readFileSync(join(memDir, version === 2 ? 'memory.events' : 'memory.oom_control'), 'utf8');
        const m = /^oom_kill (\d+)$/m.exec(text);
        if (m) return Number(m[1]) > 0;
        // v1 kernels without the oom_kill counter: a hit limit is the best available sign.
        return version === 1 && Number(readFileSync(join(memDir, 'memory.failcnt'), 'utf8')) > 0;
      } catch {
        return false;
      }
    },
    async destroy() {
      if (version === 2) tryWrite(join(pidsDir, 'cgroup.kill'), '1');
      const until = Date.now() + 5_000;
      for (let left = pids(); left.length > 0 && Date.now() < until; left = pids()) {
        for (const pid of left) killQuietly(pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 10));
      }
      for (const dir of dirs) tryRmdir(dir);
    },
  };
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* gone already */
  }
}

function tryWrite(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch {
    /* optional knob (no swap accounting, no cgroup.kill) */
  }
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* not empty yet or gone */
  }
}
