/**
 * The options every command accepts (DESIGN.md, Interfaces). A module of its own so commands
 * (completions) can read them: importing cli/main.ts from a command would wait forever, since the
 * entry module is still evaluating while the command runs.
 *
 * @module
 */
import type { OptionSpec } from "./args.ts";

/** Options accepted before or after any command. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  {
    name: "index-url",
    kind: "string",
    value: "URL",
    description: "the package index (PEP 503/691)",
  },
  {
    name: "extra-index-url",
    kind: "list",
    value: "URL",
    description: "another index, searched after",
  },
  { name: "find-links", kind: "list", value: "DIR", description: "a folder of wheels" },
  { name: "offline", kind: "boolean", description: "use only the cache and local folders" },
  { name: "python", kind: "string", value: "PATH", description: "the target interpreter" },
  { name: "quiet", short: "q", kind: "boolean", description: "print only results and errors" },
  { name: "verbose", short: "v", kind: "boolean", description: "print debug messages" },
  { name: "json", kind: "boolean", description: "print data as JSON" },
  { name: "help", short: "h", kind: "boolean", description: "show help" },
  { name: "version", short: "V", kind: "boolean", description: "show the version" },
];
