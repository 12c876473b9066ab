import { usageError } from './cli-error.js';
import type { CommandSpec, GroupSpec } from './command.js';
import { flagsFor } from './global-flags.js';

/**
 * `whirl completion bash|zsh`: a completion script generated from the command specs, so it never drifts from the
 * parser. It completes groups, commands, flags, fixed flag values (`--web raw`), entity names (asked of the API
 * through the hidden `whirl __complete names COLLECTION`) and file paths (FILE arguments and
 * file flags). zsh loads the same function through `bashcompinit`.
 */
export function completionScript(shell: string, groups: readonly GroupSpec[]): string {
  if (shell === 'bash') return bashScript(groups);
  if (shell === 'zsh') return `#compdef whirl\nautoload -U +X bashcompinit && bashcompinit\n${bashScript(groups)}`;
  throw usageError(`no completion for shell '${shell}': use bash or zsh`);
}

function words(list: Iterable<string>): string {
  return [...list].join(' ');
}

function commandFlags(cmd: CommandSpec): string {
  return words(flagsFor(cmd.flags).flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]));
}

function bashScript(all: readonly GroupSpec[]): string {
  const groups = all.filter((g) => !g.hidden);
  const fileFlags = new Set<string>();
  const choices = new Map<string, readonly string[]>();
  for (const g of groups) {
    for (const c of g.commands) {
      for (const f of flagsFor(c.flags)) {
        const spellings = [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])];
        if (f.file) spellings.forEach((s) => fileFlags.add(s));
        if (f.choices) spellings.forEach((s) => choices.set(s, f.choices!));
      }
    }
  }
  const groupCases = groups.map((g) => `    ${g.name}) COMPREPLY=( $(compgen -W "${words(g.commands.map((c) => c.name))}" -- "$cur") ) ;;`);
  const flagCases = groups.flatMap((g) => g.commands.map((c) => `    "${g.name} ${c.name}") flags="${commandFlags(c)}" ;;`));
  // Entity names for arguments that name one: "group command:word-index") collection.
  const nameCases = groups.flatMap((g) =>
    g.commands.flatMap((c) =>
      (c.args ?? []).flatMap((a, i) => (a.complete && a.complete !== 'file' ? [`    "${g.name} ${c.name}:${i + 3}") collection=${a.complete} ;;`] : [])),
    ),
  );
  const choiceCases = [...choices].map(([flag, values]) => `    ${flag}) COMPREPLY=( $(compgen -W "${words(values)}" -- "$cur") ); return ;;`);
  return `# whirl shell completion. Install: source <(whirl completion bash)   (zsh: source <(whirl completion zsh))
_whirl() {
  local cur prev flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${words(groups.map((g) => g.name))} help" -- "$cur") )
    return
  fi
  if [ "$COMP_CWORD" -eq 2 ]; then
    case "\${COMP_WORDS[1]}" in
${groupCases.join('\n')}
    esac
    return
  fi
  case "$prev" in
${choiceCases.join('\n')}
    ${fileFlags.size ? [...fileFlags].join('|') : '--no-file-flags'}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  local collection=""
  case "\${COMP_WORDS[1]} \${COMP_WORDS[2]}:$COMP_CWORD" in
${nameCases.join('\n')}
  esac
  if [ -n "$collection" ] && [[ "$cur" != -* ]]; then
    COMPREPLY=( $(compgen -W "$(whirl __complete names "$collection" 2>/dev/null)" -- "$cur") )
    return
  fi
  case "\${COMP_WORDS[1]} \${COMP_WORDS[2]}" in
${flagCases.join('\n')}
    *) flags="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F _whirl whirl
`;
}
