/**
 * The command table. Modules are imported lazily so `envknit --version` loads none of them.
 * One line per command; keep the order of `--help`.
 *
 * @module
 */
import type { Command } from "../command.ts";

/** A command's summary (for `--help`) and its lazy loader. */
export interface CommandEntry {
  summary: string;
  load: () => Promise<{ command: Command }>;
}

/** Loaders by command name, in the order `--help` lists them. */
export const COMMANDS: Record<string, CommandEntry> = {
  init: { summary: "create envknit.yaml in the current folder", load: () => import("./init.ts") },
};
