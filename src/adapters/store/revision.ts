import { randomUUID } from 'node:crypto';

/**
 * Revisions shaped like CouchDB's (`<generation>-<32 hex>`), so callers never care which store issued one.
 * The generation counts writes to the document; the hex part makes concurrent writers' revisions distinct.
 */
export function nextRevision(previous?: string): string {
  return `${generation(previous) + 1}-${randomUUID().replaceAll('-', '')}`;
}

function generation(rev: string | undefined): number {
  if (rev === undefined) return 0;
  const n = Number.parseInt(rev.slice(0, rev.indexOf('-')), 10);
  return Number.isFinite(n) ? n : 0;
}
