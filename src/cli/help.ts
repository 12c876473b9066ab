import type { FlagSpec } from './args.js';
import type { CommandSpec, GroupSpec } from './command.js';
import { ExitCode } from './cli-error.js';
import { flagsFor } from './global-flags.js';

/** Help text, generated from the same specs the parser and shell completion use. */
export function rootHelp(all: readonly GroupSpec[], version: string): string {
  const groups = all.filter((g) => !g.hidden);
  const width = Math.max(...groups.map((g) => g.name.length));
  return [
    `whirl ${version} — the command-line client for Whirl (OpenWhisk-compatible; talks to /api/v1 like wsk)`,
    '',
    'Usage: whirl GROUP COMMAND [ARGS] [FLAGS]',
    '',
    'Groups:',
    ...groups.map((g) => `  ${g.name.padEnd(width)}  ${g.summary}`),
    '',
    'Global flags:',
    ...flagLines(flagsFor([])),
    '',
    `Exit codes: ${Object.entries(ExitCode).map(([k, v]) => `${v} ${k.toLowerCase()}`).join(', ')}`,
    "Run 'whirl GROUP --help' for a group's commands.",
  ].join('\n');
}

export function groupHelp(group: GroupSpec): string {
  const width = Math.max(...group.commands.map((c) => c.name.length));
  return [
    `whirl ${group.name}: ${group.summary}`,
    '',
    `Usage: whirl ${group.name} COMMAND [ARGS] [FLAGS]`,
    '',
    'Commands:',
    ...group.commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export function commandHelp(group: GroupSpec, cmd: CommandSpec): string {
  const args = (cmd.args ?? []).map((a) => (a.optional ? `[${a.name}]` : a.name)).join(' ');
  return [
    `whirl ${group.name} ${cmd.name}: ${cmd.summary}`,
    '',
    `Usage: whirl ${group.name} ${cmd.name}${args ? ` ${args}` : ''} [FLAGS]`,
    '',
    'Flags:',
    ...flagLines(flagsFor(cmd.flags)),
  ].join('\n');
}

function flagLines(flags: readonly FlagSpec[]): string[] {
  const label = (f: FlagSpec) => {
    const value = f.type === 'boolean' ? '' : ` ${f.placeholder ?? (f.choices ? f.choices.join('|') : 'VALUE')}`;
    return `${f.short ? `-${f.short}, ` : '    '}--${f.name}${value}`;
  };
  const width = Math.max(...flags.map((f) => label(f).length));
  return flags.map((f) => `  ${label(f).padEnd(width)}  ${f.description}`);
}
