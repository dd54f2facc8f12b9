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
  add: { summary: "add requirements to an environment and lock", load: () => import("./add.ts") },
  remove: { summary: "remove requirements and lock", load: () => import("./remove.ts") },
  upgrade: { summary: "upgrade locked packages", load: () => import("./upgrade.ts") },
  pin: { summary: "pin packages to their locked versions", load: () => import("./pin.ts") },
  lock: {
    summary: "resolve envknit.yaml and write envknit.lock.yaml",
    load: () => import("./lock.ts"),
  },
  check: {
    summary: "exit 1 when envknit.yaml changed since the lock was written",
    load: () => import("./check.ts"),
  },
  install: {
    summary: "install the locked packages into the store",
    load: () => import("./install.ts"),
  },
  run: { summary: "run a command with an environment's packages", load: () => import("./run.ts") },
  verify: {
    summary: "check the installed files against what was installed",
    load: () => import("./verify.ts"),
  },
  status: {
    summary: "show which locked packages are installed, per environment",
    load: () => import("./status.ts"),
  },
  tree: { summary: "show the locked dependency tree", load: () => import("./tree.ts") },
  graph: { summary: "print the dependency graph", load: () => import("./graph.ts") },
  why: { summary: "show why a package is in the lock", load: () => import("./why.ts") },
  diff: { summary: "compare two lock files", load: () => import("./diff.ts") },
  export: { summary: "export requirements.txt or pylock.toml", load: () => import("./export.ts") },
  fetch: {
    summary: "download the locked wheels into a folder (for offline installs)",
    load: () => import("./fetch.ts"),
  },
  env: { summary: "list, create or remove environments", load: () => import("./env.ts") },
  store: {
    summary: "list, measure, clean up or garbage-collect the package store",
    load: () => import("./store.ts"),
  },
  doctor: { summary: "check envknit's setup and the project", load: () => import("./doctor.ts") },
  completions: { summary: "print shell completions", load: () => import("./completions.ts") },
  "init-shell": { summary: "print a shell setup snippet", load: () => import("./init_shell.ts") },
};
