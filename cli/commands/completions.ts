/**
 * `envknit completions bash|zsh|fish`: a completion script for the shell, generated from the
 * command table and every command's options, so it follows the commands as they change.
 *
 * A command module may also export `completion` ({@link CompletionHints}): words for its first
 * argument (`env list|create|remove`) and the values an option takes (`graph --format dot|mermaid`).
 * Options named `env` complete the project's environment names (asked from `envknit env list` when
 * the user presses Tab); options whose value is a `FILE`, `DIR` or `PATH` complete paths.
 *
 * @module
 */
import type { OptionSpec } from "../args.ts";
import type { Command } from "../command.ts";
import { COMMANDS } from "./mod.ts";
import { GLOBAL_OPTIONS } from "../global_options.ts";
import { UsageError } from "../../core/errors.ts";

/** Extra completion facts a command module may export as `completion`. */
export interface CompletionHints {
  /** Words for the command's first positional argument. */
  positionals?: string[];
  /** Fixed values of options, by option name. */
  values?: Record<string, string[]>;
}

/** What the value of an option completes to. */
export type ValueKind =
  | { kind: "none" }
  | { kind: "files" }
  | { kind: "dirs" }
  | { kind: "environments" }
  | { kind: "words"; words: string[] };

/** One option, ready for a completion script. */
export interface OptionModel {
  name: string;
  short?: string;
  description: string;
  /** Null for flags; otherwise what the value completes to. */
  value: ValueKind | null;
  /** May be given more than once. */
  repeatable: boolean;
}

/** One command, ready for a completion script. */
export interface CommandModel {
  name: string;
  summary: string;
  options: OptionModel[];
  /** Words for the first positional argument (empty: none known). */
  positionals: string[];
}

/** Everything the scripts are generated from. */
export interface CompletionModel {
  global: OptionModel[];
  commands: CommandModel[];
  /** Commands whose module could not be loaded (completed by name only). */
  unloaded: string[];
}

/** The shells a script can be generated for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
/** One of {@link SHELLS}. */
export type Shell = typeof SHELLS[number];

/** Option and command names go into shell code unquoted in places: only plain ones are used. */
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

function optionModel(spec: OptionSpec, values: Record<string, string[]>): OptionModel {
  let value: ValueKind | null = null;
  if (spec.kind !== "boolean") {
    const words = values[spec.name]?.filter((w) => SAFE_WORD.test(w));
    if (words?.length) value = { kind: "words", words };
    else if (spec.name === "env") value = { kind: "environments" };
    else if (spec.value === "DIR") value = { kind: "dirs" };
    else if (spec.value === "FILE" || spec.value === "PATH") value = { kind: "files" };
    else value = { kind: "none" };
  }
  const model: OptionModel = {
    name: spec.name,
    description: spec.description,
    value,
    repeatable: spec.kind === "list",
  };
  if (spec.short && /^[A-Za-z0-9]$/.test(spec.short)) model.short = spec.short;
  return model;
}

/** Loads every command of the table (in `--help` order) and describes it for the scripts. */
export async function completionModel(): Promise<CompletionModel> {
  const commands: CommandModel[] = [];
  const unloaded: string[] = [];
  for (const [name, entry] of Object.entries(COMMANDS)) {
    if (!SAFE_WORD.test(name)) continue;
    let module: { command: Command; completion?: CompletionHints };
    try {
      module = await entry.load();
    } catch {
      unloaded.push(name);
      commands.push({ name, summary: entry.summary, options: [], positionals: [] });
      continue;
    }
    const hints = module.completion ?? {};
    commands.push({
      name,
      summary: entry.summary,
      options: module.command.options
        .filter((o) => SAFE_WORD.test(o.name))
        .map((o) => optionModel(o, hints.values ?? {})),
      positionals: (hints.positionals ?? []).filter((w) => SAFE_WORD.test(w)),
    });
  }
  const global = GLOBAL_OPTIONS.filter((o) => SAFE_WORD.test(o.name)).map((o) =>
    optionModel(o, {})
  );
  return { global, commands, unloaded };
}

/** The completion script of `shell` for `model`. */
export function completionScript(shell: Shell, model: CompletionModel): string {
  switch (shell) {
    case "bash":
      return bashScript(model);
    case "zsh":
      return zshScript(model);
    case "fish":
      return fishScript(model);
  }
}

/** Shell command printing the project's environment names, one per line. */
const LIST_ENVIRONMENTS = "envknit env list 2>/dev/null | awk 'NR > 1 {print $1}'";

function flags(o: OptionModel): string[] {
  return [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])];
}

// ---------------------------------------------------------------------------------------- bash

function bashScript(model: CompletionModel): string {
  const globalFlags = model.global.flatMap(flags);
  const valueCases: string[] = [];
  const takesValue: string[] = [];
  const addValues = (pattern: (flag: string) => string, o: OptionModel) => {
    if (!o.value) return;
    const patterns = flags(o).map(pattern);
    takesValue.push(...patterns);
    const v = o.value;
    if (v.kind === "words") {
      valueCases.push(`    ${patterns.join("|")}) echo "${v.words.join(" ")}" ;;`);
    } else if (v.kind === "environments") {
      valueCases.push(`    ${patterns.join("|")}) _envknit_environments ;;`);
    } else {
      // files, dirs, or free text: nothing here, so bash falls back to file names (-o default)
      valueCases.push(`    ${patterns.join("|")}) return 1 ;;`);
    }
  };
  for (const o of model.global) addValues((f) => `*" ${f}"`, o);
  const commandCases: string[] = [];
  for (const c of model.commands) {
    for (const o of c.options) addValues((f) => `"${c.name} ${f}"`, o);
    const opts = c.options.flatMap(flags).join(" ");
    commandCases.push(
      `    ${c.name}) opts="${opts}"; first="${c.positionals.join(" ")}" ;;`,
    );
  }
  return `# bash completion for envknit (generated by 'envknit completions bash')
# Load it with: eval "$(envknit completions bash)"
# or save it as ~/.local/share/bash-completion/completions/envknit

_envknit_environments() {
  ${LIST_ENVIRONMENTS}
}

# _envknit_takes_value COMMAND OPTION: whether OPTION of COMMAND is followed by a value.
_envknit_takes_value() {
  case "$1 $2" in
    ${takesValue.join("|") || '""'}) return 0 ;;
  esac
  return 1
}

# _envknit_values COMMAND OPTION: the values OPTION of COMMAND takes (status 1: file names).
_envknit_values() {
  case "$1 $2" in
${valueCases.join("\n")}
  esac
  return 0
}

_envknit() {
  local cur prev cmd word opts first values i npos
  COMPREPLY=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  if (( COMP_CWORD > 0 )); then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  # --opt=value: bash splits it at '=' (COMP_WORDBREAKS)
  if [[ $cur == "=" ]]; then
    cur=""
  elif [[ $prev == "=" ]] && (( COMP_CWORD > 1 )); then
    prev="\${COMP_WORDS[COMP_CWORD-2]}"
  fi
  cmd=""
  npos=0
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word="\${COMP_WORDS[i]}"
    if [[ $word == "--" ]]; then
      return 0  # what follows -- belongs to another program: file names
    elif [[ $word == "=" ]]; then
      continue
    elif [[ $word == -* ]]; then
      if _envknit_takes_value "$cmd" "$word" && [[ \${COMP_WORDS[i+1]} != "=" ]]; then
        (( i++ ))
      fi
    elif [[ -z $cmd ]]; then
      cmd="$word"
    else
      (( npos++ ))
    fi
  done
  if [[ $prev == -* ]] && _envknit_takes_value "$cmd" "$prev"; then
    values="$(_envknit_values "$cmd" "$prev")" || return 0
    COMPREPLY=( $(compgen -W "$values" -- "$cur") )
    return 0
  fi
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=( $(compgen -W "${globalFlags.join(" ")}" -- "$cur") )
    else
      COMPREPLY=( $(compgen -W "${model.commands.map((c) => c.name).join(" ")}" -- "$cur") )
    fi
    return 0
  fi
  opts=""
  first=""
  case "$cmd" in
${commandCases.join("\n")}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts ${globalFlags.join(" ")}" -- "$cur") )
  elif (( npos == 0 )) && [[ -n $first ]]; then
    COMPREPLY=( $(compgen -W "$first" -- "$cur") )
  fi
  return 0
}

complete -o default -F _envknit envknit
`;
}

// ----------------------------------------------------------------------------------------- zsh

/** A zsh single-quoted word. */
function zq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Text inside an _arguments `[description]` or `:message:` part. */
function zdesc(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/([[\]:])/g, "\\$1");
}

function zshOption(o: OptionModel): string {
  const desc = `[${zdesc(o.description)}]`;
  let action = "";
  if (o.value) {
    const v = o.value;
    const what = o.name.replace(/-/g, " ");
    action = v.kind === "words"
      ? `:${what}:(${v.words.join(" ")})`
      : v.kind === "environments"
      ? `:environment:_envknit_environments`
      : v.kind === "files"
      ? `:${what}:_files`
      : v.kind === "dirs"
      ? `:${what}:_files -/`
      : `:${what}: `;
  }
  const repeat = o.repeatable ? "*" : "";
  const eq = o.value ? "=" : "";
  if (o.short) {
    const exclusive = o.repeatable ? "" : `(-${o.short} --${o.name})`;
    const plus = o.value ? "+" : "";
    return `${zq(exclusive)}${repeat ? "'*'" : ""}{-${o.short}${plus},--${o.name}${eq}}${
      zq(desc + action)
    }`;
  }
  return zq(`${repeat}--${o.name}${eq}${desc}${action}`);
}

function zshScript(model: CompletionModel): string {
  const commands = model.commands.map((c) => `    ${zq(`${c.name}:${zdesc(c.summary)}`)}`);
  const cases = model.commands.map((c) => {
    const specs = c.options.map(zshOption);
    specs.push(c.positionals.length ? zq(`1:argument:(${c.positionals.join(" ")})`) : "");
    specs.push(zq("*:argument:_default"));
    return `        (${c.name})\n          _arguments -s -S $global_opts ${
      specs.filter((s) => s).join(" \\\n            ")
    } && ret=0\n          ;;`;
  });
  return `#compdef envknit
# zsh completion for envknit (generated by 'envknit completions zsh')
# Load it with: eval "$(envknit completions zsh)" after compinit,
# or save it as _envknit in a folder of $fpath.

_envknit_environments() {
  local -a envs
  envs=( \${(f)"$(${LIST_ENVIRONMENTS})"} )
  _describe -t environments 'environment' envs
}

_envknit() {
  local curcontext="$curcontext" state state_descr line ret=1
  typeset -A opt_args
  local -a global_opts commands
  global_opts=(
${model.global.map((o) => `    ${zshOption(o)}`).join("\n")}
  )
  commands=(
${commands.join("\n")}
  )
  _arguments -C -s $global_opts '1: :->command' '*:: :->args' && ret=0
  case $state in
    (command)
      _describe -t commands 'envknit command' commands && ret=0
      ;;
    (args)
      curcontext="\${curcontext%:*:*}:envknit-$words[1]:"
      case $words[1] in
${cases.join("\n")}
      esac
      ;;
  esac
  return ret
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _envknit "$@"
elif (( $+functions[compdef] )); then
  compdef _envknit envknit
fi
`;
}

// ---------------------------------------------------------------------------------------- fish

/** A fish single-quoted word. */
function fq(text: string): string {
  return `'${text.replace(/[\\']/g, "\\$&")}'`;
}

function fishOption(o: OptionModel, condition: string): string {
  const parts = ["complete -c envknit"];
  if (condition) parts.push(`-n ${fq(condition)}`);
  if (o.short) parts.push(`-s ${o.short}`);
  parts.push(`-l ${o.name}`);
  if (o.value) {
    const v = o.value;
    if (v.kind === "files" || v.kind === "dirs") parts.push("-r -F");
    else if (v.kind === "words") parts.push(`-x -a ${fq(v.words.join(" "))}`);
    else if (v.kind === "environments") parts.push(`-x -a ${fq(`(${LIST_ENVIRONMENTS})`)}`);
    else parts.push("-x");
  }
  parts.push(`-d ${fq(o.description)}`);
  return parts.join(" ");
}

function fishScript(model: CompletionModel): string {
  const lines = [
    "# fish completion for envknit (generated by 'envknit completions fish')",
    "# Load it with: envknit completions fish | source",
    "# or save it as ~/.config/fish/completions/envknit.fish",
    "",
  ];
  for (const o of model.global) lines.push(fishOption(o, ""));
  lines.push("");
  for (const c of model.commands) {
    lines.push(
      `complete -c envknit -n __fish_use_subcommand -f -a ${c.name} -d ${fq(c.summary)}`,
    );
  }
  for (const c of model.commands) {
    const condition = `__fish_seen_subcommand_from ${c.name}`;
    lines.push("");
    for (const o of c.options) lines.push(fishOption(o, condition));
    if (c.positionals.length) {
      lines.push(
        `complete -c envknit -n ${fq(condition)} -f -a ${fq(c.positionals.join(" "))}`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

/** Completion facts of this command. */
export const completion: CompletionHints = { positionals: [...SHELLS] };

export const command: Command = {
  name: "completions",
  summary: "print shell completions",
  usage: "bash|zsh|fish",
  options: [],
  async run(ctx) {
    const [shell, ...rest] = ctx.args.positionals;
    if (shell === undefined || !SHELLS.includes(shell as Shell) || rest.length) {
      throw new UsageError(
        shell === undefined ? "completions needs a shell" : `unsupported shell '${shell}'`,
        { hints: [`use one of: ${SHELLS.join(", ")}`] },
      );
    }
    const model = await completionModel();
    for (const name of model.unloaded) {
      ctx.out.warn(`cannot load the command '${name}': its options are left out`);
    }
    ctx.out.print(completionScript(shell as Shell, model));
    return 0;
  },
};
