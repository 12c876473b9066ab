import { chmodSync, chownSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { killQuietly, openContainerCgroup } from './cgroup.js';

/**
 * The host-wide registry of process containers: one claim file per slot in `<stateDir>/claims/`, naming the Whirl
 * process that owns it (pid and start time, so a recycled pid is not mistaken for the owner), the container's
 * dedicated uid, process group, cgroups and working directory. A slot gives a container its uid (`UID_BASE + slot`
 * when Whirl runs as root), so two containers never share a uid, even across Whirl processes on one host. A claim
 * whose owner is dead is a leftover of a crashed Whirl: `reapDeadClaims` kills what it names and frees the slot.
 */
export const UID_BASE = 1_900_000_000;
const MAX_SLOTS = 100_000;

export interface Claim {
  owner: { pid: number; start: string };
  slot: number;
  uid?: number;
  /** The first process of the container (its own process group) and its start time. */
  leader?: { pid: number; start: string };
  cgroup?: { version: 1 | 2; dirs: string[] };
  workDir: string;
}

export interface ClaimStore {
  readonly stateDir: string;
  /** Takes the lowest free slot; its working directory exists, empty, owned by `uid` when given, mode 0700. */
  claim(uidFor: (slot: number) => number | undefined): Claim;
  update(claim: Claim): void;
  release(claim: Claim): void;
}

export function openClaimStore(stateDir: string): ClaimStore {
  const claims = join(stateDir, 'claims');
  const work = join(stateDir, 'work');
  // The state directory and `work/` are traversable (not listable) by containers' uids, so bubblewrap, running as
  // one, can bind its own directory; claims are Whirl's alone.
  mkdirSync(stateDir, { recursive: true, mode: 0o711 });
  chmodSync(stateDir, 0o711);
  mkdirSync(claims, { recursive: true, mode: 0o700 });
  mkdirSync(work, { recursive: true, mode: 0o711 });
  chmodSync(work, 0o711);
  const self = { pid: process.pid, start: startTime(process.pid) ?? '' };
  const write = (claim: Claim) => writeFileSync(join(claims, String(claim.slot)), JSON.stringify(claim), { mode: 0o600 });
  return {
    stateDir,
    claim(uidFor) {
      for (let slot = 0; slot < MAX_SLOTS; slot++) {
        let fd: number;
        try {
          fd = openSync(join(claims, String(slot)), 'wx', 0o600);
        } catch {
          continue;
        }
        closeSync(fd);
        const uid = uidFor(slot);
        const workDir = join(work, String(slot));
        rmSync(workDir, { recursive: true, force: true });
        mkdirSync(workDir, { mode: 0o700 });
        if (uid !== undefined) chownSync(workDir, uid, uid);
        const claim: Claim = { owner: self, slot, workDir, ...(uid === undefined ? {} : { uid }) };
        write(claim);
        return claim;
      }
      throw new Error(`no free process-container slot in ${claims}`);
    },
    update: write,
    release(claim) {
      rmSync(claim.workDir, { recursive: true, force: true });
      try {
        unlinkSync(join(claims, String(claim.slot)));
      } catch {
        /* released twice */
      }
    },
  };
}

/** Kills and removes every container whose owning Whirl is dead. Returns how many it reaped. */
export async function reapDeadClaims(store: ClaimStore): Promise<number> {
  const dir = join(store.stateDir, 'claims');
  let reaped = 0;
  for (const name of readdirSync(dir)) {
    let claim: Claim;
    try {
      claim = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Claim;
    } catch {
      // A claim being written right now by a live Whirl, or torn by a crash between create and write.
      continue;
    }
    if (startTime(claim.owner.pid) === claim.owner.start) continue;
    await killClaim(claim);
    store.release(claim);
    reaped++;
  }
  return reaped;
}

/** SIGKILL works on stopped (paused) processes too, so this needs no SIGCONT. */
export async function killClaim(claim: Claim): Promise<void> {
  if (claim.leader && startTime(claim.leader.pid) === claim.leader.start) {
    killQuietly(-claim.leader.pid, 'SIGKILL');
    killQuietly(claim.leader.pid, 'SIGKILL');
  }
  if (claim.cgroup) await openContainerCgroup(claim.cgroup.version, claim.cgroup.dirs).destroy();
  if (claim.uid !== undefined) {
    const until = Date.now() + 5_000;
    for (let left = pidsOfUid(claim.uid); left.length > 0 && Date.now() < until; left = pidsOfUid(claim.uid)) {
      for (const pid of left) killQuietly(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** `/proc/<pid>/stat` field 22 (start time in clock ticks since boot); undefined when the process is gone. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Host pids whose real uid is `uid` (empty where there is no /proc). */
export function pidsOfUid(uid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${e}/status`, 'utf8'));
      if (m && Number(m[1]) === uid) out.push(Number(e));
    } catch {
      /* exited while we looked */
    }
  }
  return out;
}
