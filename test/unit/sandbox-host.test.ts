import { describe, expect, it } from 'vitest';
import { describeSandboxHost, type SandboxHost } from '../../src/adapters/containers/process/sandbox/host.js';

const full: SandboxHost = {
  root: true,
  bwrap: '/usr/bin/bwrap',
  prlimit: '/usr/bin/prlimit',
  cgroups: { version: 2, parents: ['/sys/fs/cgroup/whirl'] },
  stateDir: '/run/whirl-sandbox',
  rootLinks: [],
};

describe('the start line about process containers', () => {
  it('says sandboxed when nothing is missing', () => {
    expect(describeSandboxHost(full)).toEqual({
      ok: true,
      line: 'process containers: sandboxed (bubblewrap namespaces, a uid per container, cgroup v2 memory+pids, rlimits); see docs/isolation.md',
    });
  });

  it('names every missing protection, and what it means, on one line', () => {
    const { ok, line } = describeSandboxHost({ ...full, root: false, bwrap: undefined, cgroups: undefined, prlimit: undefined });
    expect(ok).toBe(false);
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^process containers: WEAK sandbox \(private working directory only\); missing bubblewrap/);
    expect(line).toContain('`network: false` is not enforced');
    expect(line).toContain("root: actions run as Whirl's own user");
    expect(line).toContain('memory capped by RLIMIT_DATA, no process-count cap');
    expect(line).toContain('prlimit: no open-file or CPU-time limits');
  });

  it('as root without cgroups, the process count is still capped per uid', () => {
    const { line } = describeSandboxHost({ ...full, cgroups: undefined });
    expect(line).toContain('memory capped by RLIMIT_DATA');
    expect(line).not.toContain('no process-count cap');
  });
});
