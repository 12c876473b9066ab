// A small zip extractor for the runtime proxies (no dependencies, no `unzip` binary in the images): reads the central
// directory, inflates each entry with node:zlib, and writes it under a fresh directory.
//
// Hostile archives are the normal case: an entry may not leave the target directory (absolute names, `..`, symlinks
// are refused), the total uncompressed size and the entry count are capped, and the declared sizes are enforced while
// inflating (a zip bomb stops at the cap). Stored (0) and deflated (8) entries are supported; zip64 and encrypted
// entries are refused. Unix modes are kept for the executable bit (so `exec` binaries and scripts stay runnable).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

export const ZIP_LIMITS = { maxBytes: 512 * 1024 * 1024, maxEntries: 100_000 };

/** Whether the bytes start like a zip archive (local file header magic `PK\3\4`). */
export function isZip(buf) {
  return buf.length >= 4 && buf.readUInt32LE(0) === LOCAL;
}

/**
 * Extracts `buf` (a zip archive) into `target` (created if missing). Returns the number of files written.
 * Throws an Error with a message fit for the action's developer on anything malformed or over the limits.
 */
export function extractZip(buf, target, limits = ZIP_LIMITS) {
  const root = resolve(target);
  mkdirSync(root, { recursive: true });
  const entries = centralDirectory(buf);
  if (entries.length > limits.maxEntries) throw new Error(`the archive has more than ${limits.maxEntries} entries`);
  let total = 0;
  let files = 0;
  for (const e of entries) {
    const name = e.name.replace(/\\/g, '/');
    const path = safePath(root, name);
    const type = e.unixMode & S_IFMT;
    if (name.endsWith('/') || type === S_IFDIR) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    if (type !== 0 && type !== S_IFREG) throw new Error(`the archive entry '${name}' is not a regular file (symlinks are not extracted)`);
    if (e.flags & 1) throw new Error(`the archive entry '${name}' is encrypted`);
    total += e.size;
    if (total > limits.maxBytes) throw new Error(`the archive expands to more than ${limits.maxBytes} bytes`);
    const data = entryData(buf, e, name);
    mkdirSync(dirname(path), { recursive: true });
    const exec = (e.unixMode & 0o111) !== 0;
    writeFileSync(path, data, { mode: exec ? 0o755 : 0o644 });
    files++;
  }
  return files;
}

function centralDirectory(buf) {
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('the archive is not a valid zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  const offset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error('zip64 archives are not supported');
  const entries = [];
  let p = offset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new Error('the archive has a corrupt central directory');
    const madeBy = buf.readUInt16LE(p + 4) >> 8;
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    entries.push({
      flags: buf.readUInt16LE(p + 8),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      // Only archives made on Unix (3) carry a mode in the high half of the external attributes.
      unixMode: madeBy === 3 ? external >>> 16 : 0,
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function entryData(buf, e, name) {
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL) throw new Error(`the archive entry '${name}' has no local header`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const end = start + e.compressedSize;
  if (end > buf.length) throw new Error(`the archive entry '${name}' is truncated`);
  const raw = buf.subarray(start, end);
  let data;
  if (e.method === 0) data = raw;
  else if (e.method === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
    } catch (err) {
      throw new Error(`the archive entry '${name}' does not inflate to its declared size: ${err.message}`);
    }
  } else throw new Error(`the archive entry '${name}' uses compression method ${e.method} (only stored and deflate are supported)`);
  if (data.length !== e.size) throw new Error(`the archive entry '${name}' does not match its declared size`);
  return data;
}

/** The entry's path under `root` (absolute), or an error for names that would escape it. */
export function safePath(root, name) {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.split('/').includes('..') || name.includes('\0')) {
    throw new Error(`the archive entry '${name}' points outside the action directory`);
  }
  const path = join(root, name);
  if (path !== root && !path.startsWith(root + sep)) throw new Error(`the archive entry '${name}' points outside the action directory`);
  return path;
}
