/**
 * A deep copy through JSON: what a document looks like after a round trip through any real store (`undefined`
 * fields vanish). In-memory stores copy on the way in and out so callers can never mutate stored state.
 */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
