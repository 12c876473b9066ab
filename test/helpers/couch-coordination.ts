import { randomUUID } from 'node:crypto';
import nano from 'nano';
import { afterAll } from 'vitest';
import { serviceUrl } from './services.js';

/**
 * CouchDB options for a coordination adapter under test: a prefix of its own, whose `coordination` database is
 * destroyed after the file's tests. Call inside a `describeWith(['couchdb'], …)`.
 */
export function testCouchCoordination(): { url: string; prefix: string } {
  const url = serviceUrl('couchdb') ?? '';
  const prefix = `whirl_test_${randomUUID().replaceAll('-', '').slice(0, 12)}_`;
  afterAll(async () => {
    await nano(url).db.destroy(`${prefix}coordination`).catch(() => {});
  });
  return { url, prefix };
}

/** An address where nothing listens (connection refused). */
export const UNREACHABLE_COUCH = { url: 'http://127.0.0.1:1', prefix: 'whirl_unreachable_' };
