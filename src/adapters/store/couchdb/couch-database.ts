import nano from 'nano';
import { WhirlError } from '../../../errors/whirl-error.js';

export interface CouchOptions {
  /** Server URL, credentials included (`http://user:pass@host:5984`). */
  url: string;
  /** Database name prefix: databases are `${prefix}entities` and `${prefix}activations`. */
  prefix: string;
}

/** A design document's views: plain JS map functions as strings and built-in reduces, so any CouchDB runs them. */
export type Views = Record<string, { map: string; reduce?: '_count' }>;

export type Database = nano.DocumentScope<Record<string, unknown>>;

/** The design document every Whirl view lives in. */
export const DESIGN = 'whirl';

/**
 * Opens `name` on the server, creating it if missing, and makes sure `_design/whirl` holds `views` (replacing an
 * older definition). Safe to run from several processes at once: losing a creation race is fine.
 */
export async function openDatabase(options: CouchOptions, name: string, views: Views): Promise<Database> {
  // No compressed responses: CouchDB-protocol servers that gzip (pouchdb-server does) spend more CPU on both ends
  // than the loopback or LAN bytes saved; Apache CouchDB answers uncompressed anyway.
  const server = nano({ url: options.url, headers: { 'Accept-Encoding': 'identity' } });
  try {
    await server.db.create(name).catch((e: unknown) => {
      if (statusOf(e) !== 412) throw e;
    });
    const db = server.use<Record<string, unknown>>(name);
    await installDesign(db, views);
    return db;
  } catch (e) {
    throw storeUnavailable(e);
  }
}

async function installDesign(db: Database, views: Views): Promise<void> {
  const id = `_design/${DESIGN}`;
  const current = await db.get(id).catch((e: unknown) => {
    if (statusOf(e) === 404) return undefined;
    throw e;
  });
  if (current && JSON.stringify(current.views) === JSON.stringify(views)) return;
  const doc = { _id: id, language: 'javascript', views, ...(current ? { _rev: current._rev } : {}) };
  await db.insert(doc).catch((e: unknown) => {
    if (statusOf(e) !== 409) throw e; // another process installed it meanwhile
  });
}

/** The HTTP status of a nano error; undefined when the request never got an answer (connection refused, reset…). */
export function statusOf(e: unknown): number | undefined {
  const status = (e as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Anything the port has no specific code for is the store being unusable from here. */
export function storeUnavailable(e: unknown): WhirlError {
  if (e instanceof WhirlError) return e;
  const status = statusOf(e);
  const why = e instanceof Error ? e.message : String(e);
  return new WhirlError('WHIRL_STORE_UNAVAILABLE', [status ? `CouchDB ${status}: ${why}` : why], { cause: e });
}

/** The document's own fields: what CouchDB returns minus `_id`, `_rev` and other `_` bookkeeping. */
export function withoutMeta<T>(doc: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_')) out[k] = v;
  return out as T;
}
