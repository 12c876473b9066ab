import type { ApiClient } from './api-client.js';
import type { FlagSpec, FlagValue } from './args.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';
import type { Properties } from './props.js';
import type { Spinner } from './spinner.js';

/**
 * One `whirl GROUP NAME` command: its arguments and flags (which also drive help and shell completion) and what it
 * does. `run` returns the exit code (undefined = OK) or throws a CliError.
 */
export interface ArgSpec {
  name: string;
  optional?: boolean;
  /** What shell completion offers for it: file paths, or the names of a collection's entities (from the API). */
  complete?: 'file' | EntityCollection;
}

export type EntityCollection = 'actions' | 'triggers' | 'rules' | 'packages' | 'compositions';

export interface CommandSpec {
  name: string;
  aliases?: readonly string[];
  summary: string;
  args?: readonly ArgSpec[];
  flags?: readonly FlagSpec[];
  /** False for commands that never call the API (property, completion): no AUTH needed. */
  needsAuth?: boolean;
  run(ctx: CommandContext): Promise<number | void>;
}

export interface GroupSpec {
  name: string;
  /** Not listed in help or completion (internal helpers such as `__complete`). */
  hidden?: boolean;
  aliases?: readonly string[];
  summary: string;
  commands: readonly CommandSpec[];
}

export interface CommandContext {
  args: string[];
  flags: Record<string, FlagValue | undefined>;
  io: CliIo;
  out: Output;
  props: Properties;
  /** The default namespace for relative names (NAMESPACE, `_` unless set). */
  namespace: string;
  /** The API client; throws a usage error when AUTH is missing. */
  api(): ApiClient;
  spinner(text: string): Spinner;
  /** The root groups, for `completion` and `help`. */
  groups: readonly GroupSpec[];
}

/** Typed flag readers: the parser guarantees the shape for each declared type. */
export function flagString(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.flags[name];
  return typeof v === 'string' ? v : undefined;
}
export function flagNumber(ctx: CommandContext, name: string): number | undefined {
  const v = ctx.flags[name];
  return typeof v === 'number' ? v : undefined;
}
export function flagBool(ctx: CommandContext, name: string): boolean {
  return ctx.flags[name] === true;
}
export function flagPairs(ctx: CommandContext, name: string): Array<[string, string]> | undefined {
  const v = ctx.flags[name];
  return Array.isArray(v) ? (v as Array<[string, string]>) : undefined;
}
