import type Docker from 'dockerode';
import type { CollectedLogs, Container, RuntimeResult } from '../../../ports/container-factory.js';
import type { LogBuffer } from '../log-buffer.js';
import type { RuntimeClient } from '../runtime-client.js';

/** The kernel may record the OOM kill a moment after the connection drops (OpenWhisk polls for 2 s too). */
const OOM_POLL_MS = 2_000;
const OOM_POLL_EVERY_MS = 50;
const STOPPED_GRACE_MS = 200;

/** One Docker container running a runtime proxy, reached at `http://<container ip>:8080`. */
export class DockerContainer implements Container {
  private removed = false;

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly handle: Docker.Container,
    private readonly client: RuntimeClient,
    private readonly logs: LogBuffer,
    private readonly attached: NodeJS.ReadWriteStream,
    private readonly onRemoved: () => void,
  ) {}

  init(body: unknown, timeoutMs: number): Promise<RuntimeResult> {
    return this.client.init(body, timeoutMs);
  }

  run(body: unknown, timeoutMs: number): Promise<RuntimeResult> {
    return this.client.run(body, timeoutMs);
  }

  warmUp(timeoutMs: number): Promise<boolean> {
    return this.client.warmUp(timeoutMs);
  }

  collectLogs(options: { waitForSentinels: boolean; limitBytes: number; waitMs: number }): Promise<CollectedLogs> {
    return this.logs.collect(options);
  }

  async pause(): Promise<void> {
    await this.handle.pause();
  }

  async resume(): Promise<void> {
    await this.handle.unpause();
  }

  async oomKilled(): Promise<boolean> {
    let until = Date.now() + OOM_POLL_MS;
    let stoppedSeen = false;
    for (;;) {
      const state = await this.state();
      if (!state) return false;
      if (state.OOMKilled) return true;
      if (!state.Running && !stoppedSeen) {
        // Stopped without the flag: give the engine a short grace to record it, not the full poll.
        stoppedSeen = true;
        until = Math.min(until, Date.now() + STOPPED_GRACE_MS);
      }
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, OOM_POLL_EVERY_MS));
    }
  }

  async destroy(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    this.onRemoved();
    await this.client.close();
    try {
      await this.handle.remove({ force: true });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    } finally {
      (this.attached as unknown as { destroy?: () => void }).destroy?.();
      this.logs.end();
    }
  }

  private async state(): Promise<{ OOMKilled: boolean; Running: boolean } | undefined> {
    try {
      const info = await this.handle.inspect();
      return { OOMKilled: info.State.OOMKilled, Running: info.State.Running };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: unknown } | undefined)?.statusCode === 404;
}
