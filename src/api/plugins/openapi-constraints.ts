import type { FastifySchema } from 'fastify';
import { MAX_LIST_LIMIT } from '../list-page.js';

/** What the document needs to know about the server's limits (from the config). */
export interface DocumentedLimits {
  maxBlockingWaitMs: number;
}

/** `isValidName` (src/domain/names.ts) as a JSON Schema pattern: 1..256 of `[\w@ .&-]`, word first, no space last. */
const NAME_PATTERN = '^[A-Za-z0-9_](?:[A-Za-z0-9_@ .&-]{0,254}[A-Za-z0-9_@.&-])?$';
const ACTIVATION_ID_PATTERN = '^[0-9a-f]{32}$';
const NAME_PARAMS = new Set(['name', 'pkg', 'trigger']);

type Props = Record<string, Record<string, unknown>>;

/**
 * The checks handlers make themselves (with OpenWhisk's own messages, which clients and our tests rely on, so they
 * stay in the handlers rather than in fastify validation) stated in the document only: entity names, activation
 * ids, list `limit`, invoke `timeout`. Without them the document promises that requests the server rejects are
 * valid (schemathesis `positive_data_acceptance`, docs/bad-input.md). Never changes what the server validates.
 */
export function withDocumentedConstraints(schema: FastifySchema, url: string, limits: DocumentedLimits): FastifySchema {
  const out: FastifySchema = { ...schema };
  const params = constrain(schema.params, (name, prop) => {
    if (NAME_PARAMS.has(name)) return { ...prop, pattern: NAME_PATTERN };
    if (name === 'id' && url.includes('/activations/')) return { ...prop, pattern: ACTIVATION_ID_PATTERN };
    return prop;
  });
  if (params) out.params = params;
  const querystring = constrain(schema.querystring, (name, prop) => {
    if (name === 'limit') return { minimum: 0, maximum: MAX_LIST_LIMIT, ...prop }; // a route's own range wins
    if (name === 'timeout') return { ...prop, minimum: 1, maximum: limits.maxBlockingWaitMs };
    return prop;
  });
  if (querystring) out.querystring = querystring;
  return out;
}

function constrain(schema: unknown, fn: (name: string, prop: Record<string, unknown>) => Record<string, unknown>): unknown {
  const props = (schema as { properties?: Props } | undefined)?.properties;
  if (!props) return undefined;
  const properties = Object.fromEntries(Object.entries(props).map(([name, prop]) => [name, fn(name, prop)]));
  return { ...(schema as object), properties };
}
