/**
 * Deepest JSON nesting Whirl accepts anywhere JSON comes in — request bodies and action results alike (Jackson's
 * default, which OpenWhisk's stack also enforces). Deeper documents parse, but every later `JSON.stringify`
 * (sizes, store, queue, the HTTP answer) overflows the stack.
 */
export const MAX_JSON_DEPTH = 1000;

/** Maximum `[`/`{` nesting of a JSON text, ignoring brackets inside strings; one pass, no parsing. */
export function nestingDepth(text: Buffer | string): number {
  // Structural characters are ASCII: a string's UTF-16 code units are scanned like the bytes, without a copy.
  const at: (i: number) => number | undefined = typeof text === 'string' ? (i) => text.charCodeAt(i) : (i) => text[i];
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = at(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
