import jsonLogic from 'json-logic-js';
import { SHAPE_OPERATIONS } from './shape-operations.js';

// Operation sets beyond json-logic's own (shape-operations.ts), one line each.
for (const [name, op] of Object.entries(SHAPE_OPERATIONS)) jsonLogic.add_operation(name, (...args: unknown[]) => op.apply(args));

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
