/**
 * Options shared by the commands that act on a lock (`install`, `run`, `verify`, `status`,
 * `fetch`): which lock, which environments, with or without dev packages, and where wheels may
 * come from (find-links from the command line and from envknit.yaml).
 *
 * @module
 */
import type { OptionSpec } from "./args.ts";
import type { CommandContext } from "./command.ts";
import { findConfig, loadConfig } from "../project/config.ts";
import { EnvknitError } from "../project/errors.ts";
import { LOCK_FILENAME } from "../project/lock.ts";

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
 * The lock file: `--lock`, else the one beside the nearest envknit.yaml, else the nearest
 * envknit.lock.yaml upward from the current folder.
 */
export async function lockPath(ctx: CommandContext): Promise<string> {
  const given = ctx.args.options.lock as string | undefined;
  if (given) return absolute(ctx.cwd, given);
  const config = await findConfig(ctx.cwd);
  if (config) return `${config.slice(0, config.lastIndexOf("/"))}/${LOCK_FILENAME}`;
  let dir = ctx.cwd.replace(/\/+$/, "") || "/";
  for (;;) {
    const candidate = `${dir === "/" ? "" : dir}/${LOCK_FILENAME}`;
    if (await Deno.stat(candidate).then((s) => s.isFile, () => false)) return candidate;
    if (dir === "/") break;
    dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
  }
  throw new EnvknitError(`no envknit.yaml or ${LOCK_FILENAME} in ${ctx.cwd} or any parent folder`, {
    hints: [
      "create a project with 'envknit init', then 'envknit lock'",
      "or name one: --lock FILE",
    ],
  });
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
  const configPath = `${lock.slice(0, lock.lastIndexOf("/"))}/envknit.yaml`;
  if (await Deno.stat(configPath).then((s) => s.isFile, () => false)) {
    const config = await loadConfig(configPath);
    findLinks.push(...config.index.findLinks);
    if (config.index.url) credentialUrls.push(config.index.url);
    credentialUrls.push(...config.index.extraUrls);
  }
  return { findLinks, credentialUrls };
}
