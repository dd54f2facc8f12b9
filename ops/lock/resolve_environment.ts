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
import type { Lockfile, LockIsland, LockPackage, LockWheel } from "../../project/lock.ts";
import {
  normalizeName,
  parseRequirement,
  type ResolvedPackage,
  specifierContains,
} from "../../resolver/mod.ts";
import { requirementName } from "../../resolver/split_requirement.ts";
import { redactUrl, stripCredentials } from "../../store/http/url.ts";
import type { IndexClient } from "../../store/index/client.ts";
import type { Interpreter } from "../../store/tags/interpreter.ts";
import type { IndexProvider } from "./index_provider.ts";
import type { LockOptions } from "./lock_project.ts";
import { type IslandPackage, partition, splitHints } from "./islands.ts";
import { tryParseWheelFilename } from "../../store/wheel/filename.ts";

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
  const split = new Set<string>();
  for (const p of previous.environments[env] ?? []) {
    // A package with several versions (islands) has no one version to keep: each island
    // chooses again, as the first time.
    if (p.name in preferences) split.add(p.name);
    if (!updates.has(p.name)) preferences[p.name] = p.version;
  }
  for (const name of split) delete preferences[name];
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
 * The names of a solution reached from `roots` through its packages' dependencies (what the
 * runtime requirements need; the rest is reached only from dev_packages).
 */
export function reached(
  roots: readonly string[],
  packages: readonly { name: string; dependencies: string[] }[],
): Set<string> {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !byName.has(name)) return;
    seen.add(name);
    for (const dep of byName.get(name)!.dependencies) {
      const n = safeName(dep);
      if (n) visit(n);
    }
  };
  for (const r of roots) {
    const n = safeName(r);
    if (n) visit(n);
  }
  return seen;
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

/** One environment's lock entries, and its islands when it needed them. */
export interface LockedEnvironment {
  /** Its entries (with `island` / `perIsland` when it has islands). */
  packages: LockPackage[];
  /** Its islands (island 0 first), or null. */
  islands: LockIsland[] | null;
}

/** Whether every wheel of a version is pure Python (`*-none-any`), so it may be split. */
async function isPure(provider: IndexProvider, name: string, version: string): Promise<boolean> {
  const release = await provider.release(name, version);
  if (!release || release.wheels.length === 0) return false;
  return release.wheels.every((w) => {
    const parsed = tryParseWheelFilename(w.filename);
    return parsed !== null && parsed.tags.every((t) => t.endsWith("-none-any"));
  });
}

/**
 * Resolves one environment and turns the result into lock entries: into islands when the plain
 * resolution fails and `allow_multiple` permits (`islands.ts`); `note` gets what only `-v`
 * shows.
 */
export async function lockEnvironment(
  config: ProjectConfig,
  envName: string,
  interp: Interpreter,
  provider: IndexProvider,
  index: IndexClient,
  preferences: Record<string, string>,
  prereleases: LockOptions["prereleases"],
  warn: (message: string) => void,
  note: (message: string) => void = () => {},
): Promise<LockedEnvironment> {
  const env = config.environments[envName];
  const requirements = [...env.packages, ...env.devPackages];
  const allowMultiple = env.allowMultiple ?? null;
  const result = await partition({
    requirements,
    environment: interp.markers,
    preferences,
    prereleases: prereleases ?? "if-necessary-or-explicit",
    allowMultiple,
  }, { provider, isPure: (name, version) => isPure(provider, name, version) });
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
    // When islands would help: the exact allow_multiple line, or worker() for compiled code.
    hints.push(...splitHints(envName, result.hint, allowMultiple));
    // The packages with compiled code that kept the islands from forming (a split package that
    // only their closure made whole is not one of them).
    const blockers = result.hint?.compiled.length ? result.hint.compiled : result.compiled;
    const compiled = allowMultiple !== null && result.compiled.length && blockers.length
      ? ` ${blockers.join(", ")} ${
        blockers.length > 1 ? "have" : "has"
      } compiled code: allow_multiple cannot give ${
        blockers.length > 1 ? "them" : "it"
      } two versions or one instance per island`
      : "";
    throw new EnvknitError(
      `no solution for environment '${envName}': ${lines.join(" ") || "unsatisfiable"}${compiled}`,
      { hints },
    );
  }
  if (allowMultiple !== null && (result.islands === null || result.unused.length)) {
    const unused = result.unused.length
      ? `${result.unused.join(", ")} ${result.unused.length > 1 ? "are" : "is"} not needed`
      : "";
    note(
      `environment '${envName}': allow_multiple: ${
        result.islands === null
          ? `nothing to split (one version of each package serves every requirement)${
            unused ? `; ${unused}` : ""
          }`
          : unused
      }`,
    );
  }
  if (result.islands !== null) {
    return {
      packages: await islandEntries(envName, env.packages, result, provider, warn),
      islands: result.islands.map((island) => ({ roots: island.roots })),
    };
  }

  // dev: true for packages reached only through dev_packages.
  const runtime = reached(env.packages, result.packages);
  const packages: LockPackage[] = [];
  for (const p of result.packages) {
    packages.push(await lockEntry(envName, p, provider, !runtime.has(p.name), warn));
  }
  return { packages, islands: null };
}

/** The entries of an environment with islands: `island` and `per_island` from the partition. */
async function islandEntries(
  envName: string,
  runtimeRequirements: string[],
  result: { islands: { requirements: string[]; packages: ResolvedPackage[] }[] } & {
    packages: IslandPackage[];
  },
  provider: IndexProvider,
  warn: (message: string) => void,
): Promise<LockPackage[]> {
  // dev: true for versions no island reaches from packages (only from dev_packages).
  const runtime = new Set<string>();
  const wanted = new Set(runtimeRequirements);
  for (const island of result.islands) {
    const versions = new Map(island.packages.map((p) => [p.name, p.version]));
    const roots = island.requirements.filter((r) => wanted.has(r));
    for (const name of reached(roots, island.packages)) {
      runtime.add(`${name}==${versions.get(name)}`);
    }
  }
  const packages: LockPackage[] = [];
  for (const p of result.packages) {
    const dev = !runtime.has(`${p.name}==${p.version}`);
    const entry = await lockEntry(envName, p, provider, dev, warn);
    if (p.islands !== null) entry.island = [...p.islands];
    if (p.perIsland) entry.perIsland = true;
    packages.push(entry);
  }
  return packages;
}

/**
 * The lock entry of one resolved package: every wheel of its release (credentials stripped), its
 * extras, `dev`, the wheel's own Requires-Python and its index. A yanked version is warned about
 * (PEP 592: it is used only when pinned exactly; say so, as pip does).
 */
export async function lockEntry(
  envName: string,
  p: { name: string; version: string; dependencies: string[]; extras: readonly string[] },
  provider: IndexProvider,
  dev: boolean,
  warn: (message: string) => void,
): Promise<LockPackage> {
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
  // The wheel's own Requires-Python, which install compares (#14.1); not the index page's
  // data-requires-python (it filtered the candidates; a wheel that declares none records none).
  const requiresPython = (await provider.getMetadata(p.name, p.version)).requiresPython;
  if (requiresPython) entry.requiresPython = requiresPython;
  if (release.index) entry.index = stripCredentials(release.index);
  if (release.candidate.yanked) {
    const why = release.wheels.find((w) => w.yankedReason)?.yankedReason ?? "";
    warn(`${envName}: ${p.name} ${p.version} is yanked` + (why ? ` (${why})` : ""));
  }
  return entry;
}
