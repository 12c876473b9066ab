import { ApiClient } from './api-client.js';
import { joinAdminWords } from './commands/admin.js';
import { parseArgs } from './args.js';
import { CliError, ExitCode, usageError } from './cli-error.js';
import type { CommandContext, CommandSpec, GroupSpec } from './command.js';
import { flagsFor, GLOBAL_FLAGS } from './global-flags.js';
import { GROUPS } from './groups.js';
import { commandHelp, groupHelp, rootHelp } from './help.js';
import type { CliIo } from './io.js';
import { Output } from './output.js';
import { apiBaseUrl, propsFiles, resolveProperties, type PropertyKey } from './props.js';
import { startSpinner } from './spinner.js';

/**
 * The `whirl` CLI: `runCli(argv, io)` parses, runs one command and returns the exit code (docs/cli.md). It never
 * exits the process and never reads `process.*`: `bin/whirl.mjs` passes argv, streams and environment in.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const out = new Output(io.stdout, io.stderr, json);
  try {
    return await dispatch(argv, io, out);
  } catch (err) {
    return report(err, io, json);
  }
}


function findGroup(name: string): GroupSpec {
  const group = GROUPS.find((g) => g.name === name || g.aliases?.includes(name) || `${g.name}s` === name);
  if (!group) throw usageError(`unknown command '${name}'. Groups: ${GROUPS.map((g) => g.name).join(', ')}`);
  return group;
}

function findCommand(group: GroupSpec, name: string): CommandSpec {
  const cmd = group.commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!cmd) {
    throw usageError(`unknown command '${group.name} ${name}'. Commands: ${group.commands.map((c) => c.name).join(', ')}`);
  }
  return cmd;
}

/** `whirl --json action list` = `whirl action list --json`: global flags may come before the group. */
function hoistGlobalFlags(argv: readonly string[]): string[] {
  const rest = [...argv];
  const moved: string[] = [];
  while (rest[0]?.startsWith('-') && !['-h', '--help', '--version'].includes(rest[0])) {
    const word = rest.shift()!;
    const spec = GLOBAL_FLAGS.find((f) => `--${f.name}` === word.split('=')[0] || `-${f.short}` === word);
    if (!spec) throw usageError(`unknown flag ${word}`);
    moved.push(word);
    if (spec.type !== 'boolean' && !word.includes('=') && rest.length) moved.push(rest.shift()!);
  }
  return [...rest.slice(0, 2), ...moved, ...rest.slice(2)];
}

async function dispatch(rawArgv: readonly string[], io: CliIo, out: Output): Promise<number> {
  const version = () => io.version ?? 'unknown';
  let argv = joinAdminWords(hoistGlobalFlags(rawArgv));
  // `whirl help action invoke` = `whirl action invoke --help`
  if (argv[0] === 'help' && argv.length > 1) argv = [...argv.slice(1), '--help'];
  const [first, second] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    io.stdout.write(`${rootHelp(GROUPS, version())}\n`);
    return ExitCode.OK;
  }
  if (first === '--version' || first === 'version') {
    io.stdout.write(`${version()}\n`);
    return ExitCode.OK;
  }
  const group = findGroup(first);
  if (second === undefined || second === '--help' || second === '-h' || second === 'help') {
    io.stdout.write(`${groupHelp(group)}\n`);
    return second === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const cmd = findCommand(group, second);
  const parsed = parseArgs(argv.slice(2), flagsFor(cmd.flags));
  if (parsed.flags.help === true) {
    io.stdout.write(`${commandHelp(group, cmd)}\n`);
    return ExitCode.OK;
  }
  checkArity(group, cmd, parsed.positionals);

  const str = (name: string) => (typeof parsed.flags[name] === 'string' ? (parsed.flags[name] as string) : undefined);
  const flagProps: Partial<Record<PropertyKey, string>> = { APIHOST: str('apihost'), AUTH: str('auth'), NAMESPACE: str('namespace') };
  const props = await resolveProperties(flagProps, io.env, propsFiles(io.env, io.home));
  let client: ApiClient | undefined;
  const ctx: CommandContext = {
    args: parsed.positionals,
    flags: parsed.flags,
    io,
    out,
    props,
    namespace: props.NAMESPACE?.value ?? '_',
    groups: GROUPS,
    api() {
      if (!props.AUTH) {
        throw usageError("no AUTH key: run 'whirl property set --auth UUID:KEY' (or set WHIRL_AUTH, or pass --auth)");
      }
      client ??= new ApiClient(
        `${apiBaseUrl(props.APIHOST!.value)}/api/v1`,
        props.AUTH.value,
        `whirl-cli/${version()}`,
        parsed.flags.insecure === true,
      );
      return client;
    },
    spinner: (text) => startSpinner(io.stdout, io.stderr, text, !out.json),
  };
  try {
    return (await cmd.run(ctx)) ?? ExitCode.OK;
  } catch (err) {
    // Name what failed, as wsk does: "error: action create hello: resource already exists".
    if (err instanceof CliError && err.api) {
      throw new CliError(`${group.name} ${cmd.name}${ctx.args[0] ? ` ${ctx.args[0]}` : ''}: ${err.message}`, err.exitCode, err.api);
    }
    throw err;
  }
}

function checkArity(group: GroupSpec, cmd: CommandSpec, positionals: string[]): void {
  const args = cmd.args ?? [];
  const required = args.filter((a) => !a.optional).length;
  const usage = `usage: whirl ${group.name} ${cmd.name} ${args.map((a) => (a.optional ? `[${a.name}]` : a.name)).join(' ')}`.trimEnd();
  if (positionals.length < required) {
    throw usageError(`missing ${args[positionals.length]!.name}; ${usage}`);
  }
  if (positionals.length > args.length) {
    throw usageError(`unexpected argument '${positionals[args.length]}'; ${usage}`);
  }
}

function report(err: unknown, io: CliIo, json: boolean): number {
  if (err instanceof CliError) {
    if (json) {
      io.stderr.write(
        `${JSON.stringify({ error: err.message, exitCode: err.exitCode, status: err.api?.status, code: err.api?.code })}\n`,
      );
    } else {
      const tid = err.api?.code ? ` (code ${err.api.code})` : '';
      io.stderr.write(`error: ${err.message}${tid}\n`);
    }
    return err.exitCode;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr.write(`error: unexpected failure in the CLI: ${message}\n`);
  return ExitCode.FAILED;
}
