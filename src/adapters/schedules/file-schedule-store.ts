import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WhirlError } from '../../errors/whirl-error.js';
import type { Schedule, ScheduleStore } from '../../ports/schedule-store.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../store/file/private-files.js';
import { MemoryScheduleStore } from './memory-schedule-store.js';

interface Snapshot {
  schedules: Schedule[];
  last: Record<string, number>;
}

/**
 * Schedules for the embedded default (one process, `WHIRL_STORE=file`): the memory store's state, written to
 * `<dataDir>/schedules.json` (temp file + rename, so a crash leaves the old or the new snapshot) after every
 * change, and read back at open — schedules and their last ticks survive a restart, and missed ticks then follow
 * the schedule's policy. Claims are atomic only within the process, which is all the embedded default has.
 */
export class FileScheduleStore implements ScheduleStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly mem: MemoryScheduleStore,
    private readonly last: Map<string, number>,
  ) {}

  static async open(options: { dir: string }): Promise<FileScheduleStore> {
    await ensurePrivateDir(options.dir);
    const path = join(options.dir, 'schedules.json');
    await chmod(path, PRIVATE_FILE_MODE).catch(() => undefined);
    const mem = new MemoryScheduleStore();
    const last = new Map<string, number>();
    let snapshot: Snapshot = { schedules: [], last: {} };
    try {
      snapshot = JSON.parse(await readFile(path, 'utf8')) as Snapshot;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new WhirlError('WHIRL_STORE_UNAVAILABLE', [`${path}: ${(e as Error).message}`], { cause: e });
      }
    }
    for (const s of snapshot.schedules) await mem.put(s);
    for (const [id, at] of Object.entries(snapshot.last)) {
      last.set(id, at);
      await mem.claimTick(id, at);
    }
    return new FileScheduleStore(path, mem, last);
  }

  async put(schedule: Schedule): Promise<void> {
    await this.mem.put(schedule);
    await this.save();
  }

  get(id: string): Promise<Schedule | undefined> {
    return this.mem.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.mem.delete(id);
    this.last.delete(id);
    await this.save();
  }

  list(): Promise<Schedule[]> {
    return this.mem.list();
  }

  async claimTick(id: string, at: number): Promise<boolean> {
    if (!(await this.mem.claimTick(id, at))) return false;
    this.last.set(id, Math.max(this.last.get(id) ?? at, at));
    await this.save();
    return true;
  }

  lastTick(id: string): Promise<number | undefined> {
    return this.mem.lastTick(id);
  }

  async close(): Promise<void> {
    await this.writing;
  }

  /** Writes are serialised; each writes the whole (small) state. */
  private save(): Promise<void> {
    const next = this.writing.then(async () => {
      const snapshot: Snapshot = { schedules: await this.mem.list(), last: Object.fromEntries(this.last) };
      const tmp = `${this.path}.tmp`;
      await writeFile(tmp, JSON.stringify(snapshot), { mode: PRIVATE_FILE_MODE });
      await rename(tmp, this.path);
    });
    this.writing = next.catch(() => undefined);
    return next.catch((e: unknown) => {
      throw new WhirlError('WHIRL_STORE_UNAVAILABLE', [`${this.path}: ${(e as Error).message}`], { cause: e });
    });
  }
}
