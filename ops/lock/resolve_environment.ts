/**
 * Locking one environment: resolving its requirements for the target interpreter against the
 * index (through the index provider), and turning the solution into lock entries (wheels with
 * their URLs and hashes, `dev` for packages only dev_packages need, yanks warned about).
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { normalizeName as plainName } from "../../core/names.ts";
import type { ProjectConfig } from "../../project/config.ts";
import type { Lockfile, LockPackage, LockWheel } from "../../project/lock.ts";
import {
  normalizeName,
  parseRequirement,
  resolve,
  type ResolvedPackage,
  specifierContains,
} from "../../resolver/mod.ts";
import { requirementName } from "../../resolver/split_requirement.ts";
import { redactUrl, stripCredentials } from "../../store/http/url.ts";
import type { IndexClient } from "../../store/index/client.ts";
import type { Interpreter } from "../../store/tags/interpreter.ts";
import type { IndexProvider } from "./index_provider.ts";
import type { LockOptions } from "./lock_project.ts";

/**
 * The versions of the old lock that the resolver should keep for `env` (its preferences): none
 * with `upgrade`, and none for the packages `update` names.
 */
export function preferencesFrom(
  previous: Lockfile | null,
  env: string,
  updates: Set<string>,
  upgrade: boolean,
): Record<string, string> {
  const preferences: Record<string, string> = {};
  if (!previous || upgrade) return preferences;
  for (const p of previous.environments[env] ?? []) {
    if (!updates.has(p.name)) preferences[p.name] = p.version;
  }
  return preferences;
}

/**
 * The normalized project name a requirement starts with, or null. Read in JavaScript: the
 * requirements here are the user's (the solver has validated them) or the solver's own output,
 * and this runs for every dependency of every locked package.
 */
export function safeName(requirement: string): string | null {
  const name = requirementName(requirement);
  return name === null ? null : plainName(name);
}

/**
 * Whether locked packages still satisfy an environment's requirements: every requirement
 * without a marker names a locked package (with the extras it asks for) whose version its
 * specifier allows. Requirements with markers are given the benefit of the doubt (they may not
 * apply to the target).
 */
export function fitsRequirements(
  env: ProjectConfig["environments"][string],
  packages: LockPackage[],
): boolean {
  const byName = new Map(packages.map((p) => [p.name, p]));
  for (const requirement of [...env.packages, ...env.devPackages]) {
    let req;
    try {
      req = parseRequirement(requirement);
    } catch {
      return false;
    }
    if (req.marker) continue;
    const locked = byName.get(normalizeName(req.name));
    if (!locked) return false;
    if (req.extras.some((e) => !(locked.extras ?? []).includes(e))) return false;
    if (req.specifier && !specifierContains(req.specifier, locked.version, { prereleases: true })) {
      return false;
    }
  }
  return true;
}

/** Resolves one environment and turns the result into lock entries. */
export async function lockEnvironment(
  config: ProjectConfig,
  envName: string,
  interp: Interpreter,
  provider: IndexProvider,
  index: IndexClient,
  preferences: Record<string, string>,
  prereleases: LockOptions["prereleases"],
  warn: (message: string) => void,
): Promise<LockPackage[]> {
  const env = config.environments[envName];
  const requirements = [...env.packages, ...env.devPackages];
  const result = await resolve({
    requirements,
    environment: interp.markers,
    preferences,
    prereleases: prereleases ?? "if-necessary-or-explicit",
  }, provider);
  if (!result.ok) {
    const missing = [...provider.notFound].sort();
    const where = index.indexes.map(redactUrl).join(", ");
    const rootMissing = missing.filter((n) => requirements.some((r) => safeName(r) === n));
    const lines = result.explanation.split("\n").map((l) => l.trim()).filter((l) => l);
    if (rootMissing.length) {
      throw new EnvknitError(
        `environment '${envName}': ${rootMissing.map((n) => `'${n}'`).join(", ")} ${
          rootMissing.length > 1 ? "were" : "was"
        } not found on ${where}`,
        { hints: ["check the name in envknit.yaml, or add the index that has it (extra_urls)"] },
      );
    }
    // The explanation is a few sentences, one per line: the error line carries all of them.
    const hints = missing.length ? [`not found on ${where}: ${missing.join(", ")}`] : [];
    throw new EnvknitError(
      `no solution for environment '${envName}': ${lines.join(" ") || "unsatisfiable"}`,
      { hints },
    );
  }

  // dev: true for packages reached only through dev_packages.
  const byName = new Map(result.packages.map((p) => [p.name, p]));
  const runtime = new Set<string>();
  const visit = (name: string) => {
    if (runtime.has(name) || !byName.has(name)) return;
    runtime.add(name);
    for (const dep of byName.get(name)!.dependencies) {
      const n = safeName(dep);
      if (n) visit(n);
    }
  };
  for (const r of env.packages) {
    const n = safeName(r);
    if (n) visit(n);
  }

  const packages: LockPackage[] = [];
  for (const p of result.packages) {
    const entry = await lockEntry(p, provider, !runtime.has(p.name));
    packages.push(entry.lock);
    // PEP 592: a yanked version is used only when pinned exactly; say so, as pip does.
    if (entry.yanked !== null) {
      warn(
        `${envName}: ${p.name} ${p.version} is yanked` + (entry.yanked ? ` (${entry.yanked})` : ""),
      );
    }
  }
  return packages;
}

/** The lock entry of one resolved package, and its yank reason (null: not yanked). */
async function lockEntry(
  p: ResolvedPackage,
  provider: IndexProvider,
  dev: boolean,
): Promise<{ lock: LockPackage; yanked: string | null }> {
  const release = await provider.release(p.name, p.version);
  if (!release) throw new EnvknitError(`internal: ${p.name} ${p.version} is not on its index`);
  const wheels: LockWheel[] = release.wheels.map((f) => {
    const wheel: LockWheel = {
      file: f.filename,
      url: stripCredentials(f.url),
      sha256: f.hashes.sha256,
    };
    if (f.size !== undefined) wheel.size = f.size;
    return wheel;
  });
  const entry: LockPackage = {
    name: p.name,
    version: p.version,
    dependencies: p.dependencies,
    wheels,
  };
  if (p.extras.length) entry.extras = [...p.extras].sort();
  if (dev) entry.dev = true;
  if (p.requiresPython) entry.requiresPython = p.requiresPython;
  if (release.index) entry.index = stripCredentials(release.index);
  const yanked = release.candidate.yanked
    ? release.wheels.find((w) => w.yankedReason)?.yankedReason ?? ""
    : null;
  return { lock: entry, yanked };
}
