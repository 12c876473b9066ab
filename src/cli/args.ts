import { usageError } from './cli-error.js';

/**
 * A small command-line parser shaped for `wsk`'s conventions, which generic parsers handle badly:
 * `-p KEY VALUE` takes two words and repeats, `-br` bundles boolean short flags, `--flag=value` and `--flag value`
 * are both accepted, and `--` ends the flags. The flag specs also drive help and shell completion.
 */
export type FlagType = 'boolean' | 'string' | 'number' | 'pair' | 'list';

export interface FlagSpec {
  /** Long name without dashes (`timeout`); the parsed value is stored under it. */
  name: string;
  /** One-letter alias without dash (`t`). */
  short?: string;
  /** `pair` takes KEY VALUE and repeats; `list` takes one value and repeats; the others keep the last value. */
  type: FlagType;
  description: string;
  /** Placeholder shown in help (`MS`, `FILE`). */
  placeholder?: string;
  /** Fixed choices, checked at parse time and offered by shell completion. */
  choices?: readonly string[];
  /** Completion hint for the value: a file path. */
  file?: boolean;
}

export type FlagValue = boolean | string | number | Array<[string, string]> | string[];

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, FlagValue | undefined>;
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const positionals: string[] = [];
  const flags: Record<string, FlagValue | undefined> = {};
  let i = 0;
  const take = (flag: string): string => {
    const value = argv[++i];
    if (value === undefined) throw usageError(`flag ${flag} needs a value`);
    return value;
  };
  const store = (spec: FlagSpec, shown: string, inline: string | undefined) => {
    switch (spec.type) {
      case 'boolean':
        if (inline === undefined) flags[spec.name] = true;
        else if (inline === 'true' || inline === 'false') flags[spec.name] = inline === 'true';
        else throw usageError(`flag ${shown} takes no value (or =true/=false)`);
        return;
      case 'pair': {
        const key = inline ?? take(shown);
        const value = take(shown);
        const list = (flags[spec.name] as Array<[string, string]> | undefined) ?? [];
        list.push([key, value]);
        flags[spec.name] = list;
        return;
      }
      case 'list': {
        const list = (flags[spec.name] as string[] | undefined) ?? [];
        list.push(inline ?? take(shown));
        flags[spec.name] = list;
        return;
      }
      case 'number': {
        const raw = inline ?? take(shown);
        const n = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(n)) throw usageError(`flag ${shown} needs a number, got '${raw}'`);
        flags[spec.name] = n;
        return;
      }
      case 'string': {
        const value = inline ?? take(shown);
        if (spec.choices && !spec.choices.includes(value)) {
          throw usageError(`flag ${shown} must be one of ${spec.choices.join(', ')}; got '${value}'`);
        }
        flags[spec.name] = value;
        return;
      }
    }
  };

  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw usageError(`unknown flag --${name}`);
      store(spec, `--${name}`, eq === -1 ? undefined : word.slice(eq + 1));
    } else if (word.startsWith('-') && word.length > 1 && !/^-\d/.test(word)) {
      const letters = word.slice(1);
      const first = byShort.get(letters[0]!);
      if (!first) throw usageError(`unknown flag -${letters[0]}`);
      if (letters.length === 1 || first.type !== 'boolean') {
        // `-t5000` is `-t 5000`
        store(first, `-${letters[0]}`, letters.length > 1 ? letters.slice(1) : undefined);
        continue;
      }
      for (const letter of letters) {
        const spec = byShort.get(letter);
        if (!spec || spec.type !== 'boolean') throw usageError(`cannot bundle -${letter} in ${word}`);
        flags[spec.name] = true;
      }
    } else {
      positionals.push(word);
    }
  }
  return { positionals, flags };
}
