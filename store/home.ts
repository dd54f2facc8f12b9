/**
 * Where the global store lives: `$ENVKNIT_HOME`, else `~/.envknit`. Every module that touches the
 * store or its cache asks here, so the rule is written once.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";

/**
 * The store root as an absolute path: `ENVKNIT_HOME` (made absolute against the current directory
 * when relative), else `.envknit` in the home directory (`HOME`, or `USERPROFILE` on Windows).
 */
export function envknitHome(env: Record<string, string | undefined> = Deno.env.toObject()): string {
  const explicit = env.ENVKNIT_HOME;
  if (explicit) return absolute(explicit);
  const home = env.HOME || env.USERPROFILE;
  if (!home) {
    throw new EnvknitError("cannot find the envknit store: neither ENVKNIT_HOME nor HOME is set", {
      hints: ["set ENVKNIT_HOME to a folder envknit may write"],
    });
  }
  return `${absolute(home).replace(/\/+$/, "")}/.envknit`;
}

/** The cache folder of the store (`$ENVKNIT_HOME/cache`): index pages, metadata, wheels. */
export function cacheDir(env: Record<string, string | undefined> = Deno.env.toObject()): string {
  return `${envknitHome(env)}/cache`;
}

function absolute(path: string): string {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return path;
  return `${Deno.cwd().replace(/\/+$/, "")}/${path}`;
}
