import jsonLogic from 'json-logic-js';

/**
 * Two operations beyond json-logic's own, for data whose shape is only known at run time (OpenWhisk conductor
 * results): `{"typeof": x}` gives `object`, `array`, `string`, `number`, `boolean`, `null` or `undefined`;
 * `{"assign": [a, b, …]}` merges the plain objects among its arguments, later keys winning.
 */
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
jsonLogic.add_operation('typeof', (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v));
jsonLogic.add_operation('assign', (...args: unknown[]) => Object.assign({}, ...args.filter(isPlainObject)));

/**
 * json-logic evaluation for compositions (pure). A plain value that is not an operation (`{"op": [...]}` with one
 * known key) is returned as is after evaluating nested operations, so `{"id": {"var": "input.id"}}` builds an
 * object — json-logic alone would reject a multi-key object.
 */
export function evaluate(logic: unknown, data: Record<string, unknown>): unknown {
  if (Array.isArray(logic)) return logic.map((l) => evaluate(l, data));
  if (typeof logic !== 'object' || logic === null) return logic;
  const keys = Object.keys(logic);
  if (keys.length === 1 && jsonLogic.is_logic(logic)) {
    try {
      return jsonLogic.apply(logic as jsonLogic.RulesLogic, data);
    } catch (err) {
      // json-logic-js has no public list of operations: an unknown one means "this is a plain object".
      if (!(err instanceof Error && err.message.startsWith('Unrecognized operation'))) throw err;
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = evaluate((logic as Record<string, unknown>)[k], data);
  return out;
}

/** json-logic truthiness (`[]` is false, unlike JavaScript). */
export function truthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}
