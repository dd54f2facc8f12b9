/**
 * What a lock says of a package, checked against the wheel's own METADATA at install time (issue
 * #14.1). The lock's `dependencies` and `requires_python` come from what the index served as the
 * wheel's metadata (PEP 658 `.metadata`, range requests), which is a claim: a hostile or broken
 * index can serve other dependencies than the wheel declares. The installed wheel is hashed
 * against the lock, so its METADATA is the fact; a lock entry that disagrees with it is refused,
 * naming the field, and the index's cached claims about that wheel are dropped (the wheel's own
 * metadata is cached in their place), so the next `envknit lock` uses the truth.
 *
 * The comparison is normalized and order-insensitive, and does not need the resolver:
 *
 * - `Name` and `Version`: PEP 503 / PEP 440 normal forms;
 * - `Requires-Dist`: every dependency the lock records must be a requirement the wheel declares
 *   (name, extras and specifiers; the marker aside, since the lock keeps only those that apply),
 *   and every requirement the wheel declares that applies to the lock's target must be in the
 *   lock: one without a marker, one behind only an extra the lock entry requests, and one whose
 *   marker holds on a target of the lock where the entry applies (every target, or those where
 *   the entry's own `marker` holds), judged on the variables a target fixes (`python_version`,
 *   `sys_platform`, `platform_machine`, …; a marker on the interpreter's exact release, such as
 *   `python_full_version`, is left unjudged);
 * - `Requires-Python`: the lock must record the same specifiers as the wheel, or none when the
 *   wheel declares none (the lock records the wheel's own, not the index page's).
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import { canonicalVersion } from "../core/pep440.ts";
import type { Lockfile, LockPackage } from "../project/lock.ts";
import { splitRequirement } from "../resolver/split_requirement.ts";
import type { MarkerEnvironment } from "../resolver/pep.ts";
import { IndexCache } from "../store/index/cache.ts";
import type { StoreLayout } from "../store/layout.ts";
import type { WheelFile } from "../store/packages.ts";
import { type CoreMetadata, keepFields, parseCoreMetadata } from "../store/wheel/metadata.ts";
import { selectedEnvironments, type Selection } from "./selection.ts";

/** The field in which a lock entry and the wheel's METADATA disagree. */
export interface MetadataMismatch {
  /** `Name`, `Version`, `Requires-Dist` or `Requires-Python`. */
  field: "Name" | "Version" | "Requires-Dist" | "Requires-Python";
  /** What differs, in a few words. */
  detail: string;
}

/** A specifier set in a form that ignores spacing, clause order and version spelling. */
export function canonicalSpecifier(specifier: string): string {
  return specifier.replace(/\s+/g, "").split(",").filter((c) => c !== "").map((clause) => {
    const m = /^(===|~=|==|!=|<=|>=|<|>)(.*)$/.exec(clause);
    if (!m || m[1] === "===") return clause;
    const wildcard = m[2].endsWith(".*");
    const version = canonicalVersion(wildcard ? m[2].slice(0, -2) : m[2]);
    return version === null ? clause.toLowerCase() : `${m[1]}${version}${wildcard ? ".*" : ""}`;
  }).sort().join(",");
}

/** A requirement without its marker, normalized: name, sorted extras, canonical specifiers. */
export function requirementKey(requirement: string): string {
  const parts = splitRequirement(requirement);
  if (parts === null) {
    // A direct reference (`name @ url`) or something odd: compared as written, marker aside.
    const semicolon = requirement.indexOf(";");
    return (semicolon === -1 ? requirement : requirement.slice(0, semicolon)).trim()
      .replace(/\s+/g, " ");
  }
  const extras = [...new Set(parts.extras.map(normalizeName))].sort();
  return `${normalizeName(parts.name)}${extras.length ? `[${extras.join(",")}]` : ""}${
    canonicalSpecifier(parts.specifier)
  }`;
}

/**
 * Whether a marker holds for the lock's target with these extras: true, false, or null when the
 * target does not decide it (a variable of the interpreter's exact release).
 */
export type MarkerJudge = (marker: string, extras: string[]) => boolean | null;

/** Variables a target (`{python: X.Y, platform}`) does not fix: their markers are not judged. */
const UNFIXED =
  /\b(?:python_full_version|implementation_version|platform_release|platform_version)\b/;

/** Whether a marker is one {@link MarkerJudge} may judge (and not only an extra's). */
function judgeable(marker: string | null): boolean {
  return marker !== null && onlyExtra(marker) === null && !UNFIXED.test(marker);
}

/**
 * Judges for the entries of a lock: markers evaluated (by the resolver, as when the lock was made)
 * in the marker environment of each target the entry applies to. For a one-target lock that is
 * its target; for a lock of several (`targets:`), those where the entry's own `marker` holds, and
 * a dependency's marker counts when it holds on any of them. Null when a target cannot be
 * described (nothing is judged then).
 */
export async function targetJudges(
  targets: readonly { python: string; platform: string }[],
): Promise<((entryMarker: string | null | undefined) => MarkerJudge) | null> {
  const { evaluateMarker } = await import("../resolver/pep.ts");
  const { interpreterFromTarget } = await import("../store/tags/target.ts");
  let environments: MarkerEnvironment[];
  try {
    environments = targets.map((t) =>
      interpreterFromTarget({ pythonVersion: t.python, platform: t.platform }).markers
    );
  } catch {
    return null;
  }
  const holds = (marker: string, env: MarkerEnvironment, extras: string[]) => {
    try {
      return evaluateMarker(marker, env, extras);
    } catch {
      return null;
    }
  };
  return (entryMarker) => {
    const where = entryMarker
      ? environments.filter((env) => holds(entryMarker, env, []) !== false)
      : environments;
    return (marker, extras) => {
      if (UNFIXED.test(marker)) return null;
      let undecided = false;
      for (const env of where) {
        const answer = holds(marker, env, extras);
        if (answer === true) return true;
        if (answer === null) undecided = true;
      }
      return undecided ? null : false;
    };
  };
}

/** {@link requirementKey} through the resolver's PEP 508 parser (loads the wasm module). */
async function resolverKey(): Promise<(requirement: string) => string> {
  const { parseRequirement } = await import("../resolver/pep.ts");
  return (requirement) => {
    try {
      const r = parseRequirement(requirement);
      const extras = r.extras.length ? `[${r.extras.join(",")}]` : "";
      return `${r.name}${extras}${canonicalSpecifier(r.specifier)}`;
    } catch {
      return requirementKey(requirement);
    }
  };
}

/** The extra a marker tests when it tests nothing else (`extra == "cli"`), normalized, or null. */
function onlyExtra(marker: string): string | null {
  const m = /^\(?\s*extra\s*==\s*(['"])([^'"]*)\1\s*\)?$/.exec(marker.trim()) ??
    /^\(?\s*(['"])([^'"]*)\1\s*==\s*extra\s*\)?$/.exec(marker.trim());
  return m ? normalizeName(m[2]) : null;
}

/**
 * Where `entry` (a lock entry) and `meta` (the wheel's own METADATA) disagree, or null. `key`
 * says when two requirements are the same (default {@link requirementKey}, in plain JavaScript).
 */
export function compareWithLock(
  entry: LockPackage,
  meta: CoreMetadata,
  key: (requirement: string) => string = requirementKey,
  applies?: MarkerJudge,
): MetadataMismatch | null {
  if (meta.normalizedName !== entry.name) {
    return { field: "Name", detail: `the wheel says ${JSON.stringify(meta.name)}` };
  }
  const version = canonicalVersion(meta.version);
  if (version === null || version !== canonicalVersion(entry.version)) {
    return { field: "Version", detail: `the wheel says ${JSON.stringify(meta.version)}` };
  }

  const declared = new Map<string, string>(); // key → the wheel's line
  const required: string[] = []; // the wheel's lines that must be in the lock
  const extras = new Set((entry.extras ?? []).map(normalizeName));
  for (const line of meta.requiresDist) {
    declared.set(key(line), line);
    const marker = splitRequirement(line)?.marker ?? null;
    if (marker === null) required.push(line);
    else {
      const extra = onlyExtra(marker);
      if (extra !== null ? extras.has(extra) : applies?.(marker, [...extras]) === true) {
        required.push(line);
      }
    }
  }
  const locked = new Set(entry.dependencies.map(key));
  for (const dep of entry.dependencies) {
    if (!declared.has(key(dep))) {
      return {
        field: "Requires-Dist",
        detail: `the lock has ${JSON.stringify(dep)}, which the wheel does not declare`,
      };
    }
  }
  for (const line of required) {
    if (!locked.has(key(line))) {
      return {
        field: "Requires-Dist",
        detail: `the wheel declares ${JSON.stringify(line.trim())}, which the lock lacks`,
      };
    }
  }

  const wheelPython = meta.requiresPython?.trim() || null;
  if (canonicalSpecifier(wheelPython ?? "") !== canonicalSpecifier(entry.requiresPython ?? "")) {
    return {
      field: "Requires-Python",
      detail: `the lock has ${JSON.stringify(entry.requiresPython ?? null)}, the wheel ${
        JSON.stringify(wheelPython)
      }`,
    };
  }
  return null;
}

/**
 * The `checkMetadata` of an install of `lock`'s selected environments: each lock entry of the
 * package version (one per environment that locks it) is compared with the wheel's METADATA. A
 * mismatch drops the index's cached claims about that wheel, keeps the wheel's own metadata in
 * the cache instead, and is an `EnvknitError` naming the package and the field.
 */
export function lockMetadataCheck(
  lock: Lockfile,
  selection: Selection,
  layout: StoreLayout,
): (pkg: { name: string; version: string }, wheel: WheelFile, text: string) => Promise<void> {
  const entries = new Map<string, LockPackage[]>();
  for (const env of selectedEnvironments(lock, selection)) {
    for (const p of lock.environments[env]) {
      if (p.dev && selection.dev === false) continue;
      const key = `${p.name}==${p.version}`;
      entries.set(key, [...entries.get(key) ?? [], p]);
    }
  }
  // Markers are judged on the lock's targets (each entry on those it applies to), and the
  // resolver is loaded only for a wheel that has such a marker.
  const targets = lock.targets?.length ? lock.targets : [lock.target];
  let judges: ReturnType<typeof targetJudges> | null = null;
  return async (pkg, wheel, text) => {
    const meta = parseCoreMetadata(text, { source: `${wheel.file}: METADATA` });
    const needsJudge = meta.requiresDist.some((line) =>
      judgeable(splitRequirement(line)?.marker ?? null)
    );
    const judgeFor = needsJudge ? await (judges ??= targetJudges(targets)) : null;
    for (const entry of entries.get(`${pkg.name}==${pkg.version}`) ?? []) {
      const applies = judgeFor?.(entry.marker) ?? undefined;
      let mismatch = compareWithLock(entry, meta, requirementKey, applies);
      if (mismatch?.field === "Requires-Dist") {
        // Confirmed with the resolver's own parser (the one that wrote the lock's strings), so a
        // spelling this module normalizes differently is never taken for a lie.
        mismatch = compareWithLock(entry, meta, await resolverKey(), applies);
      }
      if (mismatch === null) continue;
      const cache = new IndexCache(layout.cacheDir);
      await cache.evictClaims(wheel.sha256);
      await cache.putWheelMetadata(wheel.sha256, keepFields(text));
      throw new EnvknitError(
        `${pkg.name} ${pkg.version}: the lock's ${mismatch.field} is not the wheel's own ` +
          `(${wheel.file}): ${mismatch.detail}`,
        {
          hints: [
            "the index served other metadata than the wheel holds; nothing was installed",
            "the cached index metadata of this wheel was dropped: 'envknit lock' now reads the " +
            "wheel's own",
          ],
        },
      );
    }
  };
}
