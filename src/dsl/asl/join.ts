import { isObj, type Json } from './refuse.js';

/**
 * Where the branches of a Choice (or of a Catch) meet again (pure): the first state that every branch which can end
 * normally reaches. The converter then builds the branches up to that state only and carries on from it once, so
 * shared states are neither repeated per branch nor nested ever deeper. Branches that can only fail are ignored.
 * Undefined when there is no such state (or the search would be too large): the branches then each carry on to the end.
 */
const MAX_VISIT = 2_000;

/** The states a state can go to next. */
export function successors(st: unknown): string[] {
  if (!isObj(st)) return [];
  const out: unknown[] = [st.Next, st.Default];
  if (Array.isArray(st.Choices)) for (const r of st.Choices) out.push(isObj(r) ? r.Next : undefined);
  if (Array.isArray(st.Catch)) for (const c of st.Catch) out.push(isObj(c) ? c.Next : undefined);
  return out.filter((x): x is string => typeof x === 'string');
}

function endsNormally(st: unknown): boolean {
  return isObj(st) && (st.Type === 'Succeed' || (st.End === true && st.Type !== 'Fail'));
}

/**
 * States reachable from `from` (itself included), in breadth-first order, avoiding `avoid` and not going past
 * `bound` (the join an enclosing branch stops at); undefined if too many.
 */
function reach(states: Json, from: string, avoid: ReadonlySet<string>, bound?: string): string[] | undefined {
  const order: string[] = [];
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (seen.has(s) || avoid.has(s) || !Object.prototype.hasOwnProperty.call(states, s)) continue;
    seen.add(s);
    order.push(s);
    if (order.length > MAX_VISIT) return undefined;
    if (s !== bound) queue.push(...successors(states[s]));
  }
  return order;
}

export function joinOf(states: Json, targets: string[], avoid: ReadonlySet<string>, bound?: string): string | undefined {
  const sets: string[][] = [];
  for (const t of new Set(targets)) {
    const r = reach(states, t, avoid, bound);
    if (!r) return undefined;
    if (r.some((s) => endsNormally(states[s]))) sets.push(r);
  }
  if (sets.length === 0) return undefined;
  const common = sets.slice(1).reduce((acc, r) => {
    const rs = new Set(r);
    return acc.filter((s) => rs.has(s));
  }, sets[0]!);
  const first = common[0];
  if (first === undefined) return undefined;
  // The first common state must come before every other one, or there is no single place to meet.
  const after = new Set(reach(states, first, avoid, bound) ?? []);
  return common.every((s) => after.has(s)) ? first : undefined;
}
