/**
 * The command table. Modules are imported lazily so `envknit --version` loads none of them.
 *
 * @module
 */
import type { Command } from "../command.ts";

/** Loaders by command name, in the order `--help` lists them. */
export const COMMANDS: Record<
  string,
  { summary: string; load: () => Promise<{ command: Command }> }
> = {};
