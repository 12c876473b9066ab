/** OpenWhisk's `[{key, value}]` lists, used for parameters and annotations. */
export interface KeyValue {
  key: string;
  value: unknown;
  /** Parameters only: passed to `/init` as environment instead of to `/run`. */
  init?: boolean;
}

export function kvGet(list: readonly KeyValue[] | undefined, key: string): unknown {
  return list?.find((kv) => kv.key === key)?.value;
}

/** `list` with `key` set to `value`, replacing an existing entry in place. */
export function kvSet(list: readonly KeyValue[], key: string, value: unknown): KeyValue[] {
  const out = list.filter((kv) => kv.key !== key);
  const at = list.findIndex((kv) => kv.key === key);
  const entry = { key, value };
  if (at < 0) out.push(entry);
  else out.splice(at, 0, entry);
  return out;
}

/** Later lists win; order of first appearance is kept. */
export function kvMerge(...lists: ReadonlyArray<readonly KeyValue[] | undefined>): KeyValue[] {
  let out: KeyValue[] = [];
  for (const list of lists) for (const kv of list ?? []) out = kvSet(out, kv.key, kv.value);
  return out;
}

export function kvToObject(list: readonly KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = kv.value;
  return out;
}

export function isTruthyAnnotation(list: readonly KeyValue[] | undefined, key: string): boolean {
  const v = kvGet(list, key);
  return v === true || v === 'true' || v === 'yes';
}
