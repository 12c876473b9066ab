import { createWriteStream, fchmod, fdatasync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { unavailable } from './log-file.js';
import { PRIVATE_FILE_MODE } from './private-files.js';

const datasync = promisify(fdatasync);
const setMode = promisify(fchmod);

/**
 * The write end of a JSON-lines log. `append` resolves only once its bytes are on disk. Concurrent appends share
 * fsyncs (group commit): an append waits for the first sync that *starts* after its write completed, so one
 * fsync covers every batch written meanwhile. After a write or sync failure the log refuses further appends:
 * what is on disk past that point is unknown, and the next open repairs the tail.
 */
export class AppendLog {
  private failure: unknown;
  private closed = false;
  private syncing: Promise<void> | undefined;
  private nextSync: Promise<void> | undefined;

  private constructor(
    private readonly path: string,
    private readonly stream: WriteStream,
    private readonly fd: number,
  ) {
    stream.on('error', (e) => {
      this.failure ??= e;
    });
  }

  static async open(path: string): Promise<AppendLog> {
    const stream = createWriteStream(path, { flags: 'a', mode: PRIVATE_FILE_MODE });
    try {
      const [fd] = (await once(stream, 'open')) as [number];
      // A file created before (or by another umask) is made private too.
      await setMode(fd, PRIVATE_FILE_MODE);
      return new AppendLog(path, stream, fd);
    } catch (e) {
      throw unavailable(path, e);
    }
  }

  /** Appends whole lines (`text` ends with a newline); resolves once they are durable. */
  async append(text: string): Promise<void> {
    this.check();
    try {
      await new Promise<void>((resolve, reject) => {
        this.stream.write(text, (e) => (e ? reject(e) : resolve()));
      });
      await this.sync();
    } catch (e) {
      this.failure ??= e;
      throw unavailable(this.path, e);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.syncing?.catch(() => {});
    await this.nextSync?.catch(() => {});
    if (this.stream.destroyed) return;
    this.stream.end();
    await once(this.stream, 'close').catch(() => {});
  }

  private check(): void {
    if (this.closed) throw unavailable(this.path, new Error('store is closed'));
    if (this.failure !== undefined) throw unavailable(this.path, this.failure);
  }

  private sync(): Promise<void> {
    if (this.nextSync) return this.nextSync;
    if (!this.syncing) return this.startSync();
    this.nextSync = this.syncing
      .catch(() => {})
      .then(() => {
        this.nextSync = undefined;
        return this.startSync();
      });
    return this.nextSync;
  }

  private startSync(): Promise<void> {
    const p = datasync(this.fd).finally(() => {
      if (this.syncing === p) this.syncing = undefined;
    });
    this.syncing = p;
    return p;
  }
}
