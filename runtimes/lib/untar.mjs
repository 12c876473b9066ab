// A small .tar.gz extractor for the nodejs proxy (OpenWhisk's nodejs runtime takes zip or tar.gz actions): gunzips
// with node:zlib, walks the 512-byte ustar headers (GNU long names and pax `path` records included), and writes
// regular files and directories under the target. The same rules as unzip.mjs: nothing outside the target, no links
// or devices, the same size and entry caps (the gunzip itself stops at the size cap).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ZIP_LIMITS, safePath } from './unzip.mjs';

const BLOCK = 512;

/** Whether the bytes start like gzip data (`1f 8b 08`). */
export function isGzip(buf) {
  return buf.length >= 3 && buf[0] === 0x1f && buf[1] === 0x8b && buf[2] === 0x08;
}

/** Extracts a gzipped tar into `target`; returns the number of files written. Throws on anything malformed. */
export function extractTarGz(buf, dir, limits = ZIP_LIMITS) {
  const target = resolve(dir);
  let tar;
  try {
    tar = gunzipSync(buf, { maxOutputLength: limits.maxBytes + limits.maxEntries * 2 * BLOCK });
  } catch (err) {
    throw new Error(`the archive does not gunzip within the size limit: ${err.message}`);
  }
  mkdirSync(target, { recursive: true });
  let files = 0;
  let entries = 0;
  let longName;
  for (let p = 0; p + BLOCK <= tar.length; ) {
    const header = tar.subarray(p, p + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    if (++entries > limits.maxEntries) throw new Error(`the archive has more than ${limits.maxEntries} entries`);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const body = tar.subarray(p + BLOCK, p + BLOCK + size);
    if (body.length !== size) throw new Error('the archive is truncated');
    p += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = text(body, 0, size);
      continue;
    }
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    if (type === 'g') continue;
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    if (name === '.' || name === './') continue;
    const path = safePath(target, name.replace(/^\.\//, ''));
    if (type === '5') {
      mkdirSync(path, { recursive: true });
      continue;
    }
    if (type !== '0' && type !== '7') throw new Error(`the archive entry '${name}' is not a regular file (links are not extracted)`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body, { mode: (octal(header, 100, 8) & 0o111) !== 0 ? 0o755 : 0o644 });
    files++;
  }
  return files;
}

function text(buf, start, length) {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? field.length : end);
}

function octal(buf, start, length) {
  const n = Number.parseInt(text(buf, start, length).trim() || '0', 8);
  if (!Number.isFinite(n) || n < 0) throw new Error('the archive has a corrupt header');
  return n;
}
