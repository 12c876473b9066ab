/** Parses `WHIRL_PREWARM`: `kind@memoryMB=count` items separated by commas (e.g. `nodejs:default@256=2`). */
export function parsePrewarm(text: string): Array<{ kind: string; memoryMB: number; count: number }> {
  const out: Array<{ kind: string; memoryMB: number; count: number }> = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.+)@(\d+)=(\d+)$/.exec(item);
    if (!m) throw new Error(`invalid prewarm item '${item}' (expected kind@memoryMB=count)`);
    out.push({ kind: m[1]!, memoryMB: Number(m[2]), count: Number(m[3]) });
  }
  return out;
}
