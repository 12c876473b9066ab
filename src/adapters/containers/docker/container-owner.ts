import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Which process owns an action container, as labels on the container: `whirl.host` (the host name; inside a
 * Docker-run invoker, its container's), `whirl.pid` and `whirl.instance` (random per process start). A container
 * whose owner on this host is gone — no process with that pid, or the pid is this very process under another
 * instance (a restart reusing it, as pid 1 in a container does) — is a leftover of a crashed Whirl.
 */
export interface ContainerOwner {
  host: string;
  pid: number;
  instance: string;
}

export const thisProcess: ContainerOwner = { host: hostname(), pid: process.pid, instance: randomUUID() };

export function ownerLabels(owner: ContainerOwner): Record<string, string> {
  return { 'whirl.host': owner.host, 'whirl.pid': String(owner.pid), 'whirl.instance': owner.instance };
}

/** Whether the owner named by `labels` is known dead, judged from `me` on the same host. */
export function ownerIsDead(labels: Record<string, string>, me: ContainerOwner, alive: (pid: number) => boolean): boolean {
  if (labels['whirl.host'] !== me.host) return false;
  const pid = Number(labels['whirl.pid']);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === me.pid) return labels['whirl.instance'] !== me.instance;
  return !alive(pid);
}

/** `kill(pid, 0)`: true while a process with that pid exists (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
