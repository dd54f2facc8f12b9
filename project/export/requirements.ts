/**
 * Export as a pip requirements file in hash-checking mode: every package pinned with `==` and
 * followed by `--hash=sha256:` for each of its locked wheels, so `pip install --require-hashes
 * -r requirements.txt` installs exactly the locked files (pip picks the wheel for its platform
 * among the listed hashes). An entry of a multi-target lock keeps its marker (`name==v ; marker`),
 * so pip installs on each target the entries of that target.
 *
 * @module
 */
import type { Lockfile } from "../lock.ts";
import { exportedPackages } from "./select.ts";

/** What to export. */
export interface RequirementsOptions {
  /** The environment of the lock. */
  env: string;
  /** Include packages only dev_packages need. */
  dev: boolean;
  /** Named in the header comment (the lock's file name). */
  source?: string;
}

/** The requirements.txt text of `lock` for `options.env`. */
export function exportRequirements(lock: Lockfile, options: RequirementsOptions): string {
  const packages = exportedPackages(lock, options.env, options.dev);
  const target = lock.targets?.length
    ? lock.targets.map((t) => `Python ${t.python} on ${t.platform}`).join("; ")
    : lock.target.python
    ? `Python ${lock.target.python}${lock.target.platform ? ` on ${lock.target.platform}` : ""}`
    : "";
  const lines = [
    `# Exported by envknit from ${
      options.source ?? "envknit.lock.yaml"
    }, environment '${options.env}'` +
    (options.dev ? "" : " (without dev packages)") + ".",
    ...(target ? [`# Locked for ${target}.`] : []),
    "# Install with: pip install --require-hashes -r <this file>",
  ];
  for (const p of packages) {
    const hashes = [...new Set(p.wheels.map((w) => w.sha256))].sort();
    lines.push(`${p.name}==${p.version}${p.marker ? ` ; ${p.marker}` : ""} \\`);
    hashes.forEach((h, i) =>
      lines.push(`    --hash=sha256:${h}${i < hashes.length - 1 ? " \\" : ""}`)
    );
  }
  return lines.join("\n") + "\n";
}
