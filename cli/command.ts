/**
 * The shape every CLI command module exports, and the context it runs with.
 *
 * @module
 */
import type { OptionSpec, ParsedArgs } from "./args.ts";
import type { Output } from "./output.ts";

/** Options every command accepts (DESIGN.md, Interfaces). */
export interface GlobalOptions {
  indexUrl?: string;
  extraIndexUrls: string[];
  findLinks: string[];
  offline: boolean;
  python?: string;
  quiet: boolean;
  verbose: boolean;
  json: boolean;
}

/** What a command receives. */
export interface CommandContext {
  global: GlobalOptions;
  /** The command's own options and positionals (global options already removed). */
  args: ParsedArgs;
  cwd: string;
  env: Record<string, string>;
  out: Output;
}

/** A CLI command: `run` returns the exit code (0 when omitted). */
export interface Command {
  name: string;
  summary: string;
  /** Usage line after `envknit <name>`, e.g. `[--env NAME] [PACKAGE...]`. */
  usage: string;
  options: OptionSpec[];
  run(ctx: CommandContext): Promise<number | void>;
}
