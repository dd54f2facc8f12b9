/**
 * The envknit command line: `envknit [global options] <command> [options] [-- args]`.
 *
 * @module
 */
import { formatOptions, parseArgs } from "./args.ts";
import { GLOBAL_OPTIONS } from "./global_options.ts";
import type { Command, GlobalOptions } from "./command.ts";
import { COMMANDS } from "./commands/mod.ts";
import { Output } from "./output.ts";
import { EnvknitError, UsageError } from "../core/errors.ts";
import { fileSystemError } from "../core/fs_errors.ts";
import { ENVKNIT_VERSION } from "../core/version.ts";
import { didYouMean } from "../core/suggest.ts";

function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(0, ...names.map((n) => n.length));
  const commands = names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`).join("\n");
  return `envknit ${ENVKNIT_VERSION}: several versions of one Python package in one program

Usage: envknit [options] <command> [command options] [-- args]

Commands:
${commands || "  (none yet)"}

Options:
${formatOptions(GLOBAL_OPTIONS)}

Environment: ENVKNIT_HOME, ENVKNIT_INDEX_URL, ENVKNIT_PYTHON, ENVKNIT_OFFLINE, NO_COLOR
Run 'envknit <command> --help' for a command's options.`;
}

function commandHelp(command: Command): string {
  const options = formatOptions([...command.options, ...GLOBAL_OPTIONS]);
  return `${command.summary}\n\nUsage: envknit ${command.name} ${command.usage}\n\nOptions:\n${options}`;
}

/** Finds the command name: the first argument that is neither an option nor an option's value. */
function findCommand(argv: string[]): number {
  const takesValue = new Set(
    GLOBAL_OPTIONS.filter((o) => o.kind !== "boolean").map((o) => `--${o.name}`),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") return -1;
    if (!arg.startsWith("-")) return i;
    if (takesValue.has(arg)) i++;
  }
  return -1;
}

function globalOptions(
  options: Record<string, unknown>,
  env: Record<string, string>,
): GlobalOptions {
  // An empty variable is an unset one (`ENVKNIT_INDEX_URL= envknit lock` must not lock from "").
  const set = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
  const truthy = (v: string | undefined) => set(v) !== undefined && v !== "0";
  return {
    indexUrl: (options["index-url"] as string | undefined) ?? set(env.ENVKNIT_INDEX_URL),
    extraIndexUrls: (options["extra-index-url"] as string[] | undefined) ?? [],
    findLinks: (options["find-links"] as string[] | undefined) ?? [],
    offline: (options.offline as boolean | undefined) ?? truthy(env.ENVKNIT_OFFLINE),
    python: (options.python as string | undefined) ?? set(env.ENVKNIT_PYTHON),
    quiet: (options.quiet as boolean | undefined) ?? false,
    verbose: (options.verbose as boolean | undefined) ?? false,
    json: (options.json as boolean | undefined) ?? false,
  };
}

/**
 * Whether `--json` is among our arguments (those before `--`), read before parsing so that even an
 * error in the command line itself is reported as JSON.
 */
function asksForJson(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

/** Runs the CLI with `argv` and returns the exit code. */
export async function main(argv: string[], env = Deno.env.toObject()): Promise<number> {
  let out = new Output({ env, json: asksForJson(argv) });
  try {
    const at = findCommand(argv);
    if (at === -1) {
      const { options } = parseArgs(argv, GLOBAL_OPTIONS);
      if (options.version) {
        out.print(`envknit ${ENVKNIT_VERSION}`);
        return 0;
      }
      out.print(mainHelp());
      return options.help ? 0 : 2;
    }
    const name = argv[at];
    const entry = COMMANDS[name];
    if (!entry) {
      throw new UsageError(`unknown command '${name}'${didYouMean(name, Object.keys(COMMANDS))}`, {
        hints: ["run 'envknit --help' for the list"],
      });
    }
    const { command } = await entry.load();
    const rest = [...argv.slice(0, at), ...argv.slice(at + 1)];
    const parsed = parseArgs(rest, [...GLOBAL_OPTIONS, ...command.options]);
    if (parsed.options.help) {
      out.print(commandHelp(command));
      return 0;
    }
    const global = globalOptions(parsed.options, env);
    out = new Output({ quiet: global.quiet, verbose: global.verbose, json: global.json, env });
    for (const spec of GLOBAL_OPTIONS) delete parsed.options[spec.name];
    const code = await command.run({ global, args: parsed, cwd: Deno.cwd(), env, out });
    return code ?? 0;
  } catch (caught) {
    // A full disk, a name too long, a file where a folder must go: the user's to act on.
    const error = fileSystemError(caught);
    if (error instanceof EnvknitError) {
      out.error(error.message, error.hints);
      if (env.ENVKNIT_DEBUG === "1") console.error(error.stack);
      return error.exitCode;
    }
    if (env.ENVKNIT_DEBUG === "1") throw error;
    out.error(`internal error: ${error instanceof Error ? error.message : String(error)}`, [
      "this is a bug in envknit; run again with ENVKNIT_DEBUG=1 for the stack trace and report it",
    ]);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
