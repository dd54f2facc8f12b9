/**
 * A lock's `install_path` (EnvKnit's field, never written by this tool) names a folder without
 * any hash, so it could make a program import from anywhere, or give package A the files of
 * package B (issue #14.2). The runtime honours it only inside the package's own folder of the
 * store; the tool goes further: `install`, `verify`, `status` and `run` accept a lock whose
 * `install_path` is exactly the store path of that entry (the entry folder of one of its wheels,
 * `packages/<name>/<version>/<hash16>`, or its version folder, `packages/<name>/<version>`), and
 * refuse any other with one error naming the field. The tool itself never follows it: entries
 * are found by the lock's hashes.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import type { Lockfile, LockPackage } from "../project/lock.ts";
import type { StoreLayout } from "../store/layout.ts";

/** `path` with `.` and `..` resolved lexically (absolute input). */
function lexical(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

/** The real path of `path` when it exists (symlinks resolved), else its lexical form. */
function realOrLexical(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    // Not there (yet): the longest existing ancestor is resolved, the rest kept as written.
    const clean = lexical(path);
    const cut = clean.lastIndexOf("/");
    if (cut <= 0) return clean;
    return `${realOrLexical(clean.slice(0, cut)).replace(/\/$/, "")}${clean.slice(cut)}`;
  }
}

/** The folders an `install_path` of `pkg` may name: its entries and its version folder. */
function allowedPaths(pkg: LockPackage, layout: StoreLayout): string[] {
  return [
    ...pkg.wheels.map((w) => layout.entryDir(pkg.name, pkg.version, w.sha256)),
    layout.versionDir(pkg.name, pkg.version),
  ].map(realOrLexical);
}

/**
 * Throws an `EnvknitError` for the first `install_path` of `lock` that is not exactly the store
 * path of its entry; relative paths are taken from the lock's folder, `~` from `HOME`.
 */
export function checkInstallPaths(
  lock: Lockfile,
  lockPath: string,
  layout: StoreLayout,
  home: string | undefined = Deno.env.get("HOME"),
): void {
  const lockDir = realOrLexical(
    lockPath.includes("/") ? lockPath.replace(/\/[^/]*$/, "") || "/" : ".",
  );
  for (const [env, packages] of Object.entries(lock.environments)) {
    packages.forEach((pkg, i) => {
      const raw = pkg.installPath;
      if (raw === undefined) return;
      const where = `${lockPath}: environments.${env}[${i}] (${pkg.name}).install_path`;
      let path = raw;
      if (home && (path === "~" || path.startsWith("~/"))) path = home + path.slice(1);
      if (!path.startsWith("/")) path = `${lockDir}/${path}`;
      const allowed = allowedPaths(pkg, layout);
      if (raw !== "" && !raw.includes("\0") && allowed.includes(realOrLexical(path))) return;
      throw new EnvknitError(
        `${where}: ${JSON.stringify(raw.slice(0, 200))} is not the store path of ${pkg.name} ` +
          `${pkg.version} (${allowed[0] ?? layout.versionDir(pkg.name, pkg.version)})`,
        {
          hints: [
            "envknit finds entries by the lock's sha256 and never follows install_path; a lock " +
            "naming another folder is refused",
            "remove the field, or run 'envknit lock' to write the lock again",
          ],
        },
      );
    });
  }
}
