/**
 * `vpce-target-sync completion bash|zsh`: a shell completion script, built from the same option
 * lists the parser's error messages use (args.ts), so a new command or option completes without an
 * edit here. No AWS call and no AWS SDK: completing a word never talks to AWS (target group names
 * and endpoint ids are typed, not looked up).
 */
import { type Command, OPTIONS_OF, SHELLS, type Shell, USAGE } from './args.ts';
import { EXIT } from './exit.ts';

export const COMPLETION_USAGE = `Usage: vpce-target-sync completion bash|zsh

Prints a completion script for bash or zsh: commands, each command's options, and the values of
options that take fixed ones. It completes without AWS calls (target group names and endpoint ids
are typed, not looked up).

  bash, this shell:        source <(vpce-target-sync completion bash)
  bash, every new shell:   vpce-target-sync completion bash > ~/.local/share/bash-completion/completions/vpce-target-sync
  zsh, this shell:         source <(vpce-target-sync completion zsh)      (after compinit)
  zsh, every new shell:    vpce-target-sync completion zsh > "\${fpath[1]}/_vpce-target-sync"

Exit codes:
  0  the script was printed
  2  usage error (no shell, or one other than bash or zsh)`;

/** The name the scripts complete, the bin's name. */
const PROGRAM = 'vpce-target-sync';
const FUNCTION = '_vpce_target_sync';

interface Option {
  readonly flag: string;
  /** The value's placeholder (`ARN|NAME`), absent for a flag that takes none. */
  readonly value?: string;
  /** Fixed values to offer (`json|text` -> json, text); upper-case placeholders are typed freely. */
  readonly choices: readonly string[];
}

interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly Option[];
  /** What the command's positional argument is: a file, fixed words, or none. */
  readonly positional:
    | { readonly kind: 'file' }
    | { readonly kind: 'words'; readonly words: readonly string[] }
    | null;
}

/** `--target-group ARN|NAME, --json` -> options; a lower-case placeholder lists fixed values. */
function optionsFrom(list: string): Option[] {
  return list.split(/,\s*/).flatMap((entry): Option[] => {
    const [flag, value] = entry.trim().split(/\s+/, 2);
    if (!flag?.startsWith('-')) return [];
    const choices = value && /^[a-z0-9-]+(\|[a-z0-9-]+)*$/.test(value) ? value.split('|') : [];
    return [value ? { flag, value, choices } : { flag, choices }];
  });
}

/** The one-line descriptions of the `Commands:` block of the main usage text. */
function descriptions(): Map<string, string> {
  const block = /^Commands:\n((?:[ \t]+\S.*\n?)+)/m.exec(USAGE)?.[1] ?? '';
  return new Map(
    [...block.matchAll(/^\s+([a-z][a-z-]*)\s{2,}(.+)$/gm)].map((m) => [m[1] ?? '', m[2]?.trim() ?? '']),
  );
}

/** Every command the parser takes, with its options, from args.ts. */
export function commandSpecs(): CommandSpec[] {
  const described = descriptions();
  const positional = (name: string): CommandSpec['positional'] =>
    name === 'handle-event' ? { kind: 'file' } : null;
  return [
    ...Object.entries(OPTIONS_OF).map(([name, list]) => ({
      name,
      description: described.get(name) ?? '',
      options: optionsFrom(list),
      positional: positional(name),
    })),
    {
      name: 'completion',
      description: described.get('completion') ?? 'print a shell completion script',
      options: [{ flag: '--help', choices: [] }],
      positional: { kind: 'words', words: SHELLS },
    },
  ];
}

const TOP_LEVEL = ['--help', '--version'];

/** A word list for the shell: every entry here is a flag, a command or a fixed value (no quoting needed). */
const words = (list: readonly string[]) => list.join(' ');

/** One command's arm of the script's `case "$cmd"`: values of its options, then its flags or positional. */
function bashCase(spec: CommandSpec): string {
  const valueCases = spec.options
    .filter((o) => o.value)
    .map((o) =>
      o.choices.length
        ? `        ${o.flag}) COMPREPLY=($(compgen -W "${words(o.choices)}" -- "$cur")); return ;;`
        : `        ${o.flag}) COMPREPLY=(); return ;;`,
    );
  const flags = words(spec.options.map((o) => o.flag));
  const positional =
    spec.positional?.kind === 'file'
      ? `      compopt -o filenames 2>/dev/null\n      COMPREPLY=($(compgen -f -- "$cur"))`
      : spec.positional?.kind === 'words'
        ? `      COMPREPLY=($(compgen -W "${words(spec.positional.words)}" -- "$cur"))`
        : '      COMPREPLY=()';
  return [
    `    ${spec.name})`,
    ...(valueCases.length ? ['      case "$prev" in', ...valueCases, '      esac'] : []),
    `      if [[ "$cur" == -* ]]; then`,
    `        COMPREPLY=($(compgen -W "${flags}" -- "$cur"))`,
    '      else',
    positional.replace(/^/gm, '  '),
    '      fi',
    '      ;;',
  ].join('\n');
}

function bash(specs: readonly CommandSpec[]): string {
  const cases = specs.map(bashCase);
  return `# bash completion for ${PROGRAM}
# Load it in this shell:   source <(${PROGRAM} completion bash)
# or for every new shell:  ${PROGRAM} completion bash > ~/.local/share/bash-completion/completions/${PROGRAM}
${FUNCTION}() {
  local cur prev cmd i
  COMPREPLY=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  if ((COMP_CWORD > 0)); then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$cmd" in
    "")
      COMPREPLY=($(compgen -W "${words([...specs.map((s) => s.name), ...TOP_LEVEL])}" -- "$cur"))
      ;;
${cases.join('\n')}
  esac
}
complete -F ${FUNCTION} ${PROGRAM}
`;
}

/** zsh `_arguments` wants `[`, `]` and `:` escaped in descriptions and messages. */
const zshText = (s: string) => s.replace(/([[\]:\\'])/g, (c) => (c === "'" ? `'\\''` : `\\${c}`));

function zsh(specs: readonly CommandSpec[]): string {
  // _describe splits at the first colon only: the description keeps its own.
  const commands = specs.map((s) => `    '${s.name}:${s.description.replaceAll("'", `'\\''`)}'`);
  const cases = specs.map((spec) => {
    const args = spec.options.map((o) => {
      // --target-group and --endpoint repeat; a flag given twice is harmless for the others.
      const repeat = o.value && /^--(target-group|endpoint)$/.test(o.flag) ? '*' : '';
      if (!o.value) return `'${o.flag}'`;
      const action = o.choices.length ? `(${o.choices.join(' ')})` : ' ';
      return `'${repeat}${o.flag}:${zshText(o.value)}:${action}'`;
    });
    if (spec.positional?.kind === 'file') args.push(`'1:event file (or - for stdin):_files'`);
    if (spec.positional?.kind === 'words') args.push(`'1:shell:(${spec.positional.words.join(' ')})'`);
    return [`    ${spec.name})`, `      _arguments ${args.join(' \\\n        ')}`, '      ;;'].join('\n');
  });
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}
# Load it in this shell:   source <(${PROGRAM} completion zsh)   (after compinit)
# or for every new shell:  ${PROGRAM} completion zsh > "\${fpath[1]}/_${PROGRAM}"
${FUNCTION}() {
  local -a commands
  commands=(
${commands.join('\n')}
  )
  if (( CURRENT == 2 )); then
    if [[ $PREFIX == -* ]]; then
      compadd -- ${words(TOP_LEVEL)}
    else
      _describe -t commands '${PROGRAM} command' commands
    fi
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
${cases.join('\n')}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  ${FUNCTION} "$@"
else
  compdef ${FUNCTION} ${PROGRAM}
fi
`;
}

/** The completion script for a shell. */
export function completionScript(shell: Shell): string {
  const specs = commandSpecs();
  return shell === 'bash' ? bash(specs) : zsh(specs);
}

/** `completion bash|zsh` (or `completion --help`): prints the script, or the command's help. */
export function completionCommand(
  cmd: Extract<Command, { name: 'completion' }>,
  out: NodeJS.WritableStream,
): number {
  out.write(cmd.shell ? completionScript(cmd.shell) : `${COMPLETION_USAGE}\n`);
  return EXIT.ok;
}
