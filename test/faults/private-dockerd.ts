import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nodejsImage } from '../helpers/services.js';

const run = promisify(execFile);

/**
 * A Docker daemon of the test's own (root only): its own socket, data root, exec root and pidfile under a temp dir,
 * no iptables, and a default bridge of its own (a bridge interface this class creates and removes) — never
 * `--bridge=none`, which makes dockerd delete the host's `docker0` and so break the shared engine's networking —
 * so it touches neither the shared engine nor its containers. Restarting it
 * disturbs no other test. The runtime image is copied from the shared engine (`docker save | docker load`), and
 * actions run on a user-defined network of this daemon (host → container traffic needs no iptables).
 */
export class PrivateDockerd {
  readonly dir = mkdtempSync('/tmp/whirl-fault-dockerd-');
  readonly socket = join(this.dir, 'd.sock');
  readonly network = 'whirl-fault-net';
  /** Interface names are at most 15 characters. */
  readonly bridge = `wflt${Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0')}`;
  /** Third octet of this daemon's private subnets (10.213.x.0/24 bridge, 10.214.x.0/24 actions' network). */
  private readonly octet = 100 + Math.floor(Math.random() * 150);
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  async start(): Promise<void> {
    const log = openSync(join(this.dir, 'dockerd.log'), 'a');
    const args = [`--host=unix://${this.socket}`, `--data-root=${join(this.dir, 'data')}`, `--exec-root=${join(this.dir, 'exec')}`];
    await this.ensureBridge();
    args.push(`--pidfile=${join(this.dir, 'd.pid')}`, `--bridge=${this.bridge}`, '--iptables=false', '--ip6tables=false');
    // Containers get SIGKILL 2 s into a shutdown (default 15 s), so a restart reliably kills in-flight activations.
    args.push('--shutdown-timeout=2');
    const child = spawn('dockerd', args, { stdio: ['ignore', log, log] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const until = Date.now() + 60_000;
    while (!(await this.docker(['version']).then(() => true, () => false))) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`private dockerd did not start (log: ${this.dir}/dockerd.log)`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** First start: the daemon, the runtime image and the actions' network. */
  async prepare(): Promise<void> {
    await this.start();
    await run('sh', ['-c', `docker save ${nodejsImage()} | docker -H unix://${this.socket} load`]);
    // An explicit subnet: left to itself this daemon would take 172.17.0.0/16 (it does not see the host's docker0),
    // and a second route for the shared engine's subnet breaks the shared engine's containers.
    await this.docker(['network', 'create', '--subnet', `10.214.${this.octet}.0/24`, this.network]);
  }

  /** SIGTERM (dockerd stops its containers) and wait for the exit. */
  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  docker(args: string[]): Promise<{ stdout: string }> {
    return run('docker', ['-H', `unix://${this.socket}`, ...args], { timeout: 30_000 });
  }

  async destroy(): Promise<void> {
    const ids = (await this.docker(['ps', '-aq']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await this.docker(['rm', '-f', ...ids]).catch(() => {});
    await this.docker(['network', 'rm', this.network]).catch(() => {});
    await this.stop();
    await run('ip', ['link', 'del', this.bridge]).catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The daemon's default bridge: created once, kept across restarts, removed by `destroy`. */
  private async ensureBridge(): Promise<void> {
    if (await run('ip', ['link', 'show', this.bridge]).then(() => true, () => false)) return;
    await run('ip', ['link', 'add', 'name', this.bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `10.213.${this.octet}.1/24`, 'dev', this.bridge]);
    await run('ip', ['link', 'set', this.bridge, 'up']);
  }
}
