/**
 * The Python runtime in the store. The package `envknit` from `runtime_py/` is embedded in the
 * tool (`runtime_files.generated.ts`), so it can be written from a compiled binary or a URL run,
 * where there is no checkout: `$ENVKNIT_HOME/runtime/<version>/envknit/`. The folder
 * `runtime/<version>/envknit` is linked into every environment view (`store/view/`).
 *
 * A stamp file holds the digest of the embedded files; when it is missing or differs (a
 * development build changed the runtime without changing the version), the folder is rebuilt
 * beside and swapped in by rename. Writers take `locks/runtime.lock` and look again once they
 * hold it, so concurrent installs write it once and never move a current copy aside. (Swapping a
 * stale copy leaves a moment without one; only development builds ever swap.)
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { ENVKNIT_VERSION } from "../core/version.ts";
import { withFileLock } from "./file_lock.ts";
import type { StoreLayout } from "./layout.ts";
// Only the digest is loaded up front: the files (a large module) only when they must be written.
import { RUNTIME_DIGEST } from "./runtime_digest.generated.ts";

/** The stamp file in `runtime/<version>/`: `{"digest": "<sha256 of the embedded files>"}`. */
export const RUNTIME_STAMP = ".envknit-runtime.json";

/** Whether the runtime in the store is the embedded one (one small synchronous read). */
export function runtimeIsCurrent(layout: StoreLayout): boolean {
  try {
    const stamp = JSON.parse(
      Deno.readTextFileSync(`${layout.runtimeDir(ENVKNIT_VERSION)}/${RUNTIME_STAMP}`),
    );
    return stamp?.digest === RUNTIME_DIGEST;
  } catch {
    return false;
  }
}

/**
 * Writes the embedded runtime to `runtime/<version>/` unless it is already there and current.
 * Returns the folder (`runtime/<version>`, which holds `envknit/`).
 */
export async function ensureRuntime(layout: StoreLayout): Promise<string> {
  const dir = layout.runtimeDir(ENVKNIT_VERSION);
  if (runtimeIsCurrent(layout)) return dir;
  try {
    await withFileLock(layout.runtimeLock, { exclusive: true }, async () => {
      if (!runtimeIsCurrent(layout)) await writeRuntime(layout, dir);
    });
  } catch (error) {
    throw new EnvknitError(
      `cannot write the envknit runtime into ${dir}: ${
        error instanceof Error ? error.message : error
      }`,
      { hints: ["check that ENVKNIT_HOME is writable"] },
    );
  }
  return dir;
}

/** Builds the runtime in a temp folder and swaps it in (the caller holds the runtime lock). */
async function writeRuntime(layout: StoreLayout, dir: string): Promise<void> {
  const tmpRoot = `${layout.runtimesDir}/.tmp`;
  await Deno.mkdir(tmpRoot, { recursive: true });
  const { RUNTIME_FILES } = await import("./runtime_files.generated.ts");
  const tmp = await Deno.makeTempDir({ dir: tmpRoot, prefix: `${ENVKNIT_VERSION}-` });
  for (const [path, text] of Object.entries(RUNTIME_FILES)) {
    const file = `${tmp}/envknit/${path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(file, text, { mode: 0o644 });
  }
  await Deno.writeTextFile(
    `${tmp}/${RUNTIME_STAMP}`,
    JSON.stringify({ version: ENVKNIT_VERSION, digest: RUNTIME_DIGEST }) + "\n",
  );
  await Deno.chmod(tmp, 0o755);
  // Swap: move the stale folder aside (if any), then the new one in; remove the old one.
  const old = `${tmp}.old`;
  await Deno.rename(dir, old).catch(() => {});
  await Deno.rename(tmp, dir);
  await Deno.remove(old, { recursive: true }).catch(() => {});
  await Deno.remove(tmpRoot).catch(() => {}); // only when empty
}
