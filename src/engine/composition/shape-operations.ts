/**
 * Two json-logic operations for data whose shape is only known at run time (OpenWhisk conductor results, see
 * conductor-definition.ts), each `{arity, apply(args)}` with its arguments evaluated:
 * - `{"typeof": x}` → `object`, `array`, `string`, `number`, `boolean`, `null` or `undefined`;
 * - `{"assign": [a, b, …]}` → the plain objects among the arguments merged, later keys winning.
 */
export const SHAPE_OPERATIONS: Record<string, { arity: readonly [number, number]; apply: (args: unknown[]) => unknown }> = {
  typeof: { arity: [1, 1], apply: ([v]) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v) },
  assign: {
    arity: [0, Infinity],
    apply: (args) => {
      const out: Record<string, unknown> = {};
      for (const a of args) {
        if (typeof a !== 'object' || a === null || Array.isArray(a)) continue;
        // defineProperty: a `__proto__` key is data, not the object's prototype.
        for (const [k, v] of Object.entries(a)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return out;
    },
  },
};
