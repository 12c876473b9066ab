import { WhirlError } from '../errors/whirl-error.js';
import type { Page } from '../ports/entity-store.js';

/** OpenWhisk's list paging (`query-limit`): default 30, at most 200, `limit=0` means the maximum. */
export const DEFAULT_LIST_LIMIT = 30;
export const MAX_LIST_LIMIT = 200;

export const ListQueryProperties = {
  limit: { type: 'integer' },
  skip: { type: 'integer', minimum: 0 },
  count: { type: 'boolean' },
} as const;

export function listPage(limit: number | undefined, skip: number | undefined, collection: string): Page {
  const l = limit ?? DEFAULT_LIST_LIMIT;
  if (l < 0 || l > MAX_LIST_LIMIT) throw new WhirlError('WHIRL_LIST_LIMIT', [l, MAX_LIST_LIMIT, collection]);
  return { limit: l === 0 ? MAX_LIST_LIMIT : l, skip: skip ?? 0 };
}
