/**
 * Options shared by the commands that act on a lock (`install`, `run`, `verify`, `status`,
 * `fetch`): which lock, which environments, with or without dev packages, and where wheels may
 * come from (find-links from the command line and from envknit.yaml). Also the global options
 * the commands that lock (`lock`, `add`, `remove`, `pin`, `upgrade`) pass to `lockProject`.
 *
 * @module
 */
import type { OptionSpec } from "./args.ts";
import type { CommandContext } from "./command.ts";
import { EnvknitError } from "../core/errors.ts";
import { LOCK_FILENAME } from "../project/lock_file.ts";
import type { LockOptions } from "../ops/lock/lock_project.ts";
import { isFile } from "../core/file_kind.ts";

// project/config.ts and project/lock.ts load the YAML parser, whose import alone costs more than
// a warm `install` or `run`: they are imported only when a file must actually be parsed.
const CONFIG_FILE = "envknit.yaml";

/** `--env`, `--no-dev`, `--lock`. */
export const LOCK_OPTIONS: OptionSpec[] = [
  { name: "env", kind: "list", value: "NAME", description: "only this environment (repeatable)" },
  { name: "no-dev", kind: "boolean", description: "leave out packages only dev_packages need" },
  {
    name: "lock",
    kind: "string",
    value: "FILE",
    description: "the lock file (default: beside envknit.yaml)",
  },
];

function absolute(cwd: string, path: string): string {
  return path.startsWith("/") ? path : `${cwd.replace(/\/+$/, "")}/${path}`;
}

/**
 * The lock file: `--lock`, else the one beside the nearest envknit.yaml (the project root, as
 * `findConfig` finds it), else the nearest envknit.lock.yaml upward from the current folder.
 */
export function lockPath(ctx: CommandContext): string {
  const given = ctx.args.options.lock as string | undefined;
  if (given) return absolute(ctx.cwd, given);
  let lockOnly: string | null = null;
  let dir = ctx.cwd.replace(/\/+$/, "") || "/";
  for (;;) {
    const base = dir === "/" ? "" : dir;
    if (isFile(`${base}/${CONFIG_FILE}`)) return `${base}/${LOCK_FILENAME}`;
    if (lockOnly === null && isFile(`${base}/${LOCK_FILENAME}`)) {
      lockOnly = `${base}/${LOCK_FILENAME}`;
    }
    if (dir === "/") break;
    dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
  }
  if (lockOnly) return lockOnly;
  throw new EnvknitError(`no envknit.yaml or ${LOCK_FILENAME} in ${ctx.cwd} or any parent folder`, {
    hints: [
      "create a project with 'envknit init', then 'envknit lock'",
      "or name one: --lock FILE",
    ],
  });
}

/**
 * The `lockProject` options that come from the global options and the environment: index URLs,
 * `--find-links`, `--offline`, `--python`, and the environment variables.
 */
export function globalLockOptions(
  ctx: CommandContext,
): Pick<
  LockOptions,
  "indexUrl" | "extraIndexUrls" | "findLinks" | "offline" | "python" | "envVars"
> {
  return {
    indexUrl: ctx.global.indexUrl,
    extraIndexUrls: ctx.global.extraIndexUrls,
    findLinks: ctx.global.findLinks,
    offline: ctx.global.offline,
    python: ctx.global.python,
    envVars: ctx.env,
  };
}

/** `--env` values (empty: all) and whether dev packages are included. */
export function selection(ctx: CommandContext): { environments: string[]; dev: boolean } {
  return {
    environments: (ctx.args.options.env as string[] | undefined) ?? [],
    dev: !ctx.args.options["no-dev"],
  };
}

/**
 * Where wheels may come from besides the cache and the network: `--find-links` folders (made
 * absolute) and envknit.yaml's `find_links`; plus index URLs whose credentials downloads may use.
 */
export async function wheelSources(
  ctx: CommandContext,
  lock: string,
): Promise<{ findLinks: string[]; credentialUrls: string[] }> {
  const findLinks = ctx.global.findLinks.map((d) => absolute(ctx.cwd, d));
  const credentialUrls = [ctx.global.indexUrl, ...ctx.global.extraIndexUrls].filter(
    (u): u is string => !!u,
  );
  const configPath = `${lock.slice(0, lock.lastIndexOf("/"))}/${CONFIG_FILE}`;
  if (isFile(configPath)) {
    const { loadConfig } = await import("../project/config.ts");
    const config = await loadConfig(configPath);
    findLinks.push(...config.index.findLinks);
    if (config.index.url) credentialUrls.push(config.index.url);
    credentialUrls.push(...config.index.extraUrls);
  }
  return { findLinks, credentialUrls };
}
