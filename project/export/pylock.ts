/**
 * Export as a PEP 751 lock file (`pylock.toml`, lock-version 1.0): a single-use lock of one
 * environment, for installers that read the standard format.
 *
 * - top level: `lock-version`, `requires-python` (the lock's target Python, when known) and
 *   `created-by`; for a multi-target lock, `environments` (its targets' markers) instead of
 *   `requires-python`; no `extras` or `dependency-groups` (dev packages are chosen at export time
 *   with `--no-dev`);
 * - one `[[packages]]` table per package: `name`, `version`, `marker` (an entry of a
 *   multi-target lock that applies to some targets only), `requires-python`,
 *   `dependencies` (informational, by name: each name has one entry), `index`, and `wheels`
 *   with `name`, `url`, `size` and `hashes.sha256` of every locked wheel;
 * - `[tool.envknit]`: the environment and target it came from (disposable, as the spec asks).
 *
 * @module
 */
import type { Lockfile } from "../lock.ts";
import { exportedPackages } from "./select.ts";
import { tomlInline, tomlPair, type TomlValue } from "./toml.ts";

/** The lock-version this writer follows. */
export const PYLOCK_VERSION = "1.0";

/** A file name PEP 751 allows: `pylock.toml` or `pylock.<name>.toml`. */
export const PYLOCK_NAME = /^pylock\.([^.]+\.)?toml$/;

/** What to export. */
export interface PylockOptions {
  /** The environment of the lock. */
  env: string;
  /** Include packages only dev_packages need. */
  dev: boolean;
  /** The names each package depends on (PEP 503-normalized), by package name. */
  dependencies: Map<string, string[]>;
}

/** `==3.11.*` for a target of `3.11` (or `3.11t`); null when the lock names no Python. */
function requiresPython(python: string): string | null {
  const m = /^(\d+)\.(\d+)t?$/.exec(python);
  return m ? `==${m[1]}.${m[2]}.*` : null;
}

/** The pylock.toml text of `lock` for `options.env`. */
export function exportPylock(lock: Lockfile, options: PylockOptions): string {
  const packages = exportedPackages(lock, options.env, options.dev);
  const included = new Set(packages.map((p) => p.name));
  const out: string[] = [tomlPair("lock-version", PYLOCK_VERSION)];
  if (lock.targets?.length) {
    out.push(tomlPair("environments", lock.targets.map((t) => t.marker)));
  } else {
    const python = requiresPython(lock.target.python);
    if (python) out.push(tomlPair("requires-python", python));
  }
  out.push(tomlPair("created-by", "envknit"));
  if (packages.length === 0) out.push(tomlPair("packages", []));
  for (const p of packages) {
    out.push("", "[[packages]]", tomlPair("name", p.name), tomlPair("version", p.version));
    if (p.marker) out.push(tomlPair("marker", p.marker));
    if (p.requiresPython) out.push(tomlPair("requires-python", p.requiresPython));
    // Only entries of this file may be named; a dev-only dependency of a dev package that is
    // left out cannot occur (it would be dev-only too), but guard anyway.
    const deps = [...new Set(options.dependencies.get(p.name) ?? [])]
      .filter((d) => included.has(d))
      .sort();
    if (deps.length) out.push(tomlPair("dependencies", deps.map((name) => ({ name }))));
    if (p.index) out.push(tomlPair("index", p.index));
    const wheels = [...p.wheels].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    out.push("wheels = [");
    for (const w of wheels) {
      const wheel: Record<string, TomlValue> = { name: w.file, url: w.url };
      if (w.size !== undefined) wheel.size = w.size;
      wheel.hashes = { sha256: w.sha256 };
      out.push(`  ${tomlInline(wheel)},`);
    }
    out.push("]");
  }
  out.push(
    "",
    "[tool.envknit]",
    tomlPair("environment", options.env),
    tomlPair("dev", options.dev),
    lock.targets?.length
      ? tomlPair(
        "targets",
        lock.targets.map((t) => ({ python: t.python, platform: t.platform, marker: t.marker })),
      )
      : tomlPair("target", { python: lock.target.python, platform: lock.target.platform }),
  );
  return out.join("\n") + "\n";
}
