import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/** 1980-01-01, the earliest date a zip records. */
const DOS_DATE = (1 << 5) | 1;

/** A zip entry: its bytes, and the Unix mode to record (0o755 for executables). */
export interface ZipEntry {
  data: string | Buffer;
  mode?: number;
  /** Record the entry as a symbolic link whose target is `data` (as `zip -y` does). */
  symlink?: boolean;
}

/**
 * Writes a zip archive (deflated entries, Unix modes, as `zip -r` does) from a map of path → content, so tests build
 * their action archives without a `zip` binary on the machine.
 */
export function zip(files: Record<string, string | Buffer | ZipEntry>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, value] of Object.entries(files)) {
    const entry = typeof value === 'string' || Buffer.isBuffer(value) ? { data: value } : value;
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made on Unix: the mode is in the external attributes
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((((entry.symlink ? 0o120000 : 0o100000) | (entry.mode ?? 0o644)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Every regular file under `dir`, keyed by `prefix` + its relative path (symlinks are skipped). */
export function filesUnder(dir: string, prefix: string): Record<string, ZipEntry> {
  const out: Record<string, ZipEntry> = {};
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) Object.assign(out, filesUnder(path, `${prefix}${name.name}/`));
    else if (name.isFile()) out[`${prefix}${name.name}`] = { data: readFileSync(path), mode: statSync(path).mode & 0o777 };
  }
  return out;
}
