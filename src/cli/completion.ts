// `sluice completion bash|zsh|fish`: shell completion generated from the tables that --help and
// the manual read (options with their choices, stages, help topics, kafka subcommands), so that
// it cannot drift from what sluice accepts. Install:
//   bash: eval "$(sluice completion bash)"     (or save it in ~/.local/share/bash-completion/completions/sluice)
//   zsh:  eval "$(sluice completion zsh)"      (after compinit)
//   fish: sluice completion fish > ~/.config/fish/completions/sluice.fish

import { UsageError } from '../errors/errors.js';
import { aggregateList } from '../aggregates/index.js';
import { functionList } from '../lang/functions.js';
import { operatorList } from '../operators/index.js';
import { subcommands as kafkaSubcommands } from './kafka.js';
import { HELP_TOPICS } from './help.js';
import { optionTable } from './options.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

interface Flag {
  short: string | null;
  long: string;
  /** takes a value */
  value: boolean;
  /** the value is a path */
  file: boolean;
  choices: readonly string[] | null;
  help: string;
}

function flags(): Flag[] {
  return optionTable.map((o) => {
    const m = /^(?:(-\w), )?(--[\w-]+|-\w)(?: <(\w[\w=-]*)>)?/.exec(o.flags)!;
    const short = m[1] ?? (m[2]!.startsWith('--') ? null : m[2]!);
    const long = m[2]!.startsWith('--') ? m[2]! : '';
    return { short, long, value: m[3] !== undefined, file: FILE_OPTIONS.has(o.key), choices: o.choices ?? null, help: o.help.split(/[.;:(]/)[0]!.trim() };
  });
}

/** options whose value is a path (the others take a word, a number or a duration: nothing to offer) */
const FILE_OPTIONS = new Set(['to', 'state', 'deadLetter', 'kafkaConfig', 'schema', 'fromFile']);

const stages = (): string[] => operatorList.map((o) => o.name).sort();
const topics = (): string[] => [...stages(), ...HELP_TOPICS,
  ...functionList.map((f) => f.name), ...aggregateList.map((a) => a.name)].filter((v, i, a) => a.indexOf(v) === i).sort();
const kafkaCommands = (): string[] => kafkaSubcommands.map((s) => s.name);

export function completionScript(shell: string): string {
  if (shell === 'bash') return bash();
  if (shell === 'zsh') return zsh();
  if (shell === 'fish') return fish();
  throw new UsageError(`completion for which shell? sluice completion ${SHELLS.join('|')}${shell ? ` (not '${shell}')` : ''}`);
}

function bash(): string {
  const fs = flags();
  const all = fs.flatMap((f) => [f.short, f.long].filter((x): x is string => !!x && x !== ''));
  const names = (f: Flag) => [f.short, f.long].filter((x) => !!x).join('|');
  const cases = fs.filter((f) => f.choices).map((f) =>
    `    ${names(f)}) COMPREPLY=($(compgen -W '${f.choices!.join(' ')}' -- "$cur")); return ;;`).join('\n');
  return `# sluice completion for bash: eval "$(sluice completion bash)"
_sluice() {
  local cur prev
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -ge 2 && "\${COMP_WORDS[1]}" == help ]]; then
    COMPREPLY=($(compgen -W '${topics().join(' ')}' -- "$cur")); return
  fi
  if [[ $COMP_CWORD -ge 2 && "\${COMP_WORDS[1]}" == completion ]]; then
    COMPREPLY=($(compgen -W '${SHELLS.join(' ')}' -- "$cur")); return
  fi
  if [[ $COMP_CWORD -eq 2 && "\${COMP_WORDS[1]}" == kafka ]]; then
    COMPREPLY=($(compgen -W '${kafkaCommands().join(' ')}' -- "$cur")); return
  fi
  case "$prev" in
${cases}
    ${fs.filter((f) => f.file).map(names).join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    ${fs.filter((f) => f.value && !f.file && !f.choices).map(names).join('|')}) COMPREPLY=(); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W '${all.join(' ')}' -- "$cur")); return
  fi
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W '${[...stages(), 'help', 'kafka', 'completion', 'schema'].join(' ')}' -- "$cur") $(compgen -f -- "$cur")); return
  fi
  if [[ "$prev" == then ]]; then
    COMPREPLY=($(compgen -W '${stages().join(' ')}' -- "$cur")); return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _sluice sluice
`;
}

/** zsh: single quotes in descriptions doubled, colons escaped (_arguments syntax). */
const zq = (s: string) => s.replace(/'/g, "'\\''").replace(/:/g, '\\:').replace(/\[/g, '(').replace(/\]/g, ')');

function zsh(): string {
  const specs = flags().map((f) => {
    const names = [f.short, f.long].filter((x): x is string => !!x && x !== '');
    const action = f.choices ? `:value:(${f.choices.join(' ')})` : f.file ? ':path:_files' : f.value ? ':value: ' : '';
    const head = names.length > 1 ? `'(${names.join(' ')})'{${names.join(',')}}` : `'${names[0]}`;
    return names.length > 1 ? `    ${head}'[${zq(f.help)}]${action}'` : `    ${head}[${zq(f.help)}]${action}'`;
  });
  return `#compdef sluice
# sluice completion for zsh: eval "$(sluice completion zsh)" after compinit
_sluice() {
  if (( CURRENT > 2 )) && [[ \${words[2]} == help ]]; then
    compadd -- ${topics().join(' ')}; return
  fi
  if (( CURRENT > 2 )) && [[ \${words[2]} == completion ]]; then
    compadd -- ${SHELLS.join(' ')}; return
  fi
  if (( CURRENT == 3 )) && [[ \${words[2]} == kafka ]]; then
    compadd -- ${kafkaCommands().join(' ')}; return
  fi
  if [[ \${words[CURRENT-1]} == then ]]; then
    compadd -- ${stages().join(' ')}; return
  fi
  _arguments -s \\
${specs.join(' \\\n')} \\
    '1:program or stage:(${[...stages(), 'help', 'kafka', 'completion', 'schema'].join(' ')})' \\
    '*:input:_files'
}
compdef _sluice sluice
`;
}

const fq = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");

function fish(): string {
  const lines = flags().map((f) => {
    let l = 'complete -c sluice';
    if (f.short) l += ` -s ${f.short.slice(1)}`;
    if (f.long) l += ` -l ${f.long.slice(2)}`;
    if (f.choices) l += ` -x -a '${f.choices.join(' ')}'`;
    else if (f.file) l += ' -r -F';
    else if (f.value) l += ' -x';
    return `${l} -d '${fq(f.help)}'`;
  });
  const first = '__fish_is_first_arg';
  return `# sluice completion for fish: sluice completion fish > ~/.config/fish/completions/sluice.fish
${lines.join('\n')}
complete -c sluice -n '${first}' -a '${stages().join(' ')}' -d stage
complete -c sluice -n '${first}' -a 'help kafka completion schema' -d command
complete -c sluice -n '__fish_seen_subcommand_from help' -f -a '${topics().join(' ')}'
complete -c sluice -n '__fish_seen_subcommand_from completion' -f -a '${SHELLS.join(' ')}'
complete -c sluice -n '__fish_seen_subcommand_from kafka; and not __fish_seen_subcommand_from ${kafkaCommands().join(' ')}' -f -a '${kafkaCommands().join(' ')}'
complete -c sluice -n '__fish_prev_arg_in then' -f -a '${stages().join(' ')}' -d stage
`;
}
