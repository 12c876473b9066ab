import { createReadStream } from 'node:fs';
import { open, rename, stat, truncate, appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { WhirlError } from '../../../errors/whirl-error.js';
import { PRIVATE_FILE_MODE } from './private-files.js';

/**
 * A JSON-lines document log at rest: one CouchDB-shaped document per line (`_id`, `_rev`, `_deleted` plus the
 * document's fields), later lines superseding earlier ones with the same `_id`.
 */
export interface LogLine {
  _id: string;
  _rev: string;
  _deleted?: boolean;
  [field: string]: unknown;
}

/** The document's own fields: what a line stores minus the store's bookkeeping. */
export function documentOf(line: LogLine): Record<string, unknown> {
  const { _id, _rev, _deleted, ...doc } = line;
  return doc;
}

/**
 * Replays the log at `path` (absent = empty) through `onLine`; returns the number of lines.
 * A crash can leave only the last line torn (appends are not acknowledged until fsynced), so an unparsable last
 * line is cut off and a complete last line missing its newline gets one; anything unparsable before the last
 * line is corruption and fails the open rather than silently losing documents.
 */
export async function readLog(path: string, onLine: (line: LogLine) => void): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw unavailable(path, e);
  }
  let offset = 0;
  let lines = 0;
  let torn: { offset: number; lineNo: number } | undefined;
  let lineNo = 0;
  const input = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const text of input) {
    lineNo++;
    if (torn) throw unavailable(path, new Error(`corrupt line ${torn.lineNo}`));
    const start = offset;
    offset += Buffer.byteLength(text) + 1;
    if (text.length === 0) continue;
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      torn = { offset: start, lineNo };
      continue;
    }
    onLine(line);
    lines++;
  }
  if (torn) await truncate(path, torn.offset);
  else if (offset === size + 1) await appendFile(path, '\n');
  return lines;
}

/** Compaction pays off once superseded lines outnumber live documents (and there are enough of them to matter). */
export function shouldCompact(lines: number, live: number, minSuperseded: number): boolean {
  const superseded = lines - live;
  return superseded >= minSuperseded && superseded > live;
}

/** Atomically replaces the log at `path` with `lines` (write a sibling, fsync it, rename over, fsync the dir). */
export async function rewriteLog(path: string, lines: Iterable<string>): Promise<void> {
  const tmp = `${path}.compacting`;
  const file = await open(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    let chunk = '';
    for (const line of lines) {
      chunk += `${line}\n`;
      if (chunk.length > 1 << 20) {
        await file.appendFile(chunk);
        chunk = '';
      }
    }
    if (chunk) await file.appendFile(chunk);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export function unavailable(path: string, cause: unknown): WhirlError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new WhirlError('WHIRL_STORE_UNAVAILABLE', [`${path}: ${why}`], { cause });
}
