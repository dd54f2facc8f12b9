/**
 * What changed between two locks, per environment: packages added, removed, upgraded or
 * downgraded (PEP 440 order), versions whose locked wheels changed, and versions whose
 * requirements (`dependencies`, requested extras) changed, the islands of an environment split by
 * `allow_multiple` (their roots, and which islands see each entry); and whether the inputs the
 * locks were made from differ (`config_hash`). Used by `envknit diff` and by the commands that re-lock
 * (`add`, `remove`, `upgrade`, `pin`) to say what they did.
 *
 * @module
 */
import type { Lockfile, LockPackage, LockTarget, LockTargetEntry } from "./lock.ts";
import { compareVersions } from "../resolver/mod.ts";

/** One package that is in both locks with another version, other wheels or other requirements. */
export interface PackageChange {
  name: string;
  /** The entry's marker, in a lock with targets (entries are told apart by name and marker). */
  marker?: string;
  from: string;
  to: string;
  /**
   * `wheels`: same version, different wheel files or hashes; `requirements`: same version,
   * different `dependencies` or requested extras (see `requirements`); `islands`: same version,
   * seen by other islands (see `islands`).
   */
  kind: "upgraded" | "downgraded" | "wheels" | "requirements" | "islands";
  /** For `requirements`: the dependencies and extras only the new lock has, and only the old. */
  requirements?: { added: string[]; removed: string[]; extrasFrom: string[]; extrasTo: string[] };
  /** For `islands`: where the entry is seen before and after (`island 0`, `every island`, …). */
  islands?: { from: string; to: string };
}

/** The difference in one environment present in both locks. */
export interface EnvironmentDiff {
  added: { name: string; version: string; marker?: string }[];
  removed: { name: string; version: string; marker?: string }[];
  changed: PackageChange[];
  /**
   * The islands' roots (island 0 first: the one the application sees), when they changed; `[]`
   * for an environment without islands.
   */
  islands?: { from: string[][]; to: string[][] };
}

/** The difference between two locks. */
export interface LockDiff {
  /** Environments only the new lock has, with their package count. */
  addedEnvironments: { name: string; packages: number }[];
  /** Environments only the old lock has, with their package count. */
  removedEnvironments: { name: string; packages: number }[];
  /** Environments in both that differ (equal ones are left out). */
  environments: Record<string, EnvironmentDiff>;
  /** The target, when it changed. */
  target: { from: LockTarget; to: LockTarget } | null;
  /** The targets of a lock with several, when they changed (absent: a lock for one machine). */
  targets: { from: LockTargetEntry[] | null; to: LockTargetEntry[] | null } | null;
  /**
   * The `config_hash` of each lock, when they differ: the locks were made from other envknit.yaml
   * requirements or index settings (even when every package came out the same).
   */
  configHash: { from: string; to: string } | null;
  /** Nothing above differs. */
  equal: boolean;
}

function wheelKey(p: LockPackage): string {
  return p.wheels.map((w) => `${w.file}@${w.sha256}`).sort().join(" ");
}

/** An entry's identity within its environment: its name, and its marker when it has one. */
function entryKey(p: LockPackage): string {
  return p.marker ? `${p.name}\0${p.marker}` : p.name;
}

/**
 * Pairs the entries of one key (an environment with islands has an entry per version of a split
 * package): the same versions first, then, when one entry is left on each side, those two.
 */
function pairEntries(
  before: LockPackage[],
  after: LockPackage[],
): { pairs: [LockPackage, LockPackage][]; removed: LockPackage[]; added: LockPackage[] } {
  const pairs: [LockPackage, LockPackage][] = [];
  const left = [...after];
  const removed: LockPackage[] = [];
  for (const a of before) {
    const i = left.findIndex((b) => b.version === a.version);
    if (i < 0) removed.push(a);
    else pairs.push([a, left.splice(i, 1)[0]]);
  }
  if (removed.length === 1 && left.length === 1) {
    pairs.push([removed.pop()!, left.pop()!]);
  }
  return { pairs, removed, added: left };
}

/** The difference between the packages of one environment in two locks. */
export function diffPackages(before: LockPackage[], after: LockPackage[]): EnvironmentDiff {
  const group = (list: LockPackage[]) => {
    const out = new Map<string, LockPackage[]>();
    for (const p of list) out.set(entryKey(p), [...(out.get(entryKey(p)) ?? []), p]);
    return out;
  };
  const old = group(before);
  const now = group(after);
  const diff: EnvironmentDiff = { added: [], removed: [], changed: [] };
  const byVersion = (x: LockPackage, y: LockPackage) => compareVersions(x.version, y.version);
  // Which islands see an entry is compared when both sides have islands (going from none to some
  // is the islands' roots changing, which diffLocks reports).
  const split = (list: LockPackage[]) => list.some((p) => p.island !== undefined || p.perIsland);
  const bothSplit = split(before) && split(after);
  for (const key of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const { pairs, removed, added } = pairEntries(old.get(key) ?? [], now.get(key) ?? []);
    for (const a of removed.sort(byVersion)) {
      diff.removed.push({
        name: a.name,
        version: a.version,
        ...(a.marker ? { marker: a.marker } : {}),
      });
    }
    for (const b of added.sort(byVersion)) {
      diff.added.push({
        name: b.name,
        version: b.version,
        ...(b.marker ? { marker: b.marker } : {}),
      });
    }
    for (const [a, b] of pairs.sort(([x], [y]) => byVersion(x, y))) {
      const name = a.name;
      const where = a.marker ? { marker: a.marker } : {};
      if (a.version !== b.version) {
        const order = compareVersions(a.version, b.version);
        diff.changed.push({
          name,
          ...where,
          from: a.version,
          to: b.version,
          kind: order < 0 ? "upgraded" : order > 0 ? "downgraded" : "wheels",
        });
        continue;
      }
      if (wheelKey(a) !== wheelKey(b)) {
        diff.changed.push({ name, ...where, from: a.version, to: b.version, kind: "wheels" });
      }
      const where0 = islandsOf(a);
      const where1 = islandsOf(b);
      if (bothSplit && where0 !== where1) {
        diff.changed.push({
          name,
          ...where,
          from: a.version,
          to: b.version,
          kind: "islands",
          islands: { from: where0, to: where1 },
        });
      }
      const requirements = requirementChanges(a, b);
      if (requirements) {
        diff.changed.push({
          name,
          ...where,
          from: a.version,
          to: b.version,
          kind: "requirements",
          requirements,
        });
      }
    }
  }
  return diff;
}

/** Which islands see an entry, in words (`every island` for an entry without `island`). */
function islandsOf(p: LockPackage): string {
  const seen = p.island === undefined
    ? "every island"
    : `island${p.island.length === 1 ? "" : "s"} ${p.island.join(", ")}`;
  return p.perIsland ? `${seen}, one instance per island` : seen;
}

/** The dependencies and extras of one version that differ between two locks, or null. */
function requirementChanges(a: LockPackage, b: LockPackage): PackageChange["requirements"] | null {
  const before = new Set(a.dependencies);
  const after = new Set(b.dependencies);
  const added = [...after].filter((d) => !before.has(d)).sort();
  const removed = [...before].filter((d) => !after.has(d)).sort();
  const extrasFrom = [...a.extras ?? []].sort();
  const extrasTo = [...b.extras ?? []].sort();
  if (!added.length && !removed.length && extrasFrom.join(",") === extrasTo.join(",")) return null;
  return { added, removed, extrasFrom, extrasTo };
}

/** Whether an environment diff holds any change. */
export function isEmptyDiff(diff: EnvironmentDiff): boolean {
  return !diff.added.length && !diff.removed.length && !diff.changed.length && !diff.islands;
}

/** The difference between two locks, limited to `environments` when given. */
export function diffLocks(before: Lockfile, after: Lockfile, environments?: string[]): LockDiff {
  const wanted = (name: string) => !environments?.length || environments.includes(name);
  const result: LockDiff = {
    addedEnvironments: [],
    removedEnvironments: [],
    environments: {},
    target: null,
    targets: null,
    configHash: null,
    equal: true,
  };
  const names = [
    ...new Set([...Object.keys(before.environments), ...Object.keys(after.environments)]),
  ]
    .filter(wanted)
    .sort();
  for (const name of names) {
    const a = before.environments[name];
    const b = after.environments[name];
    if (!a) result.addedEnvironments.push({ name, packages: b.length });
    else if (!b) result.removedEnvironments.push({ name, packages: a.length });
    else {
      const diff = diffPackages(a, b);
      const roots = (l: Lockfile) => (l.islands?.[name] ?? []).map((i) => i.roots);
      if (JSON.stringify(roots(before)) !== JSON.stringify(roots(after))) {
        diff.islands = { from: roots(before), to: roots(after) };
      }
      if (!isEmptyDiff(diff)) result.environments[name] = diff;
    }
  }
  if (
    before.target.python !== after.target.python ||
    before.target.platform !== after.target.platform
  ) {
    result.target = { from: before.target, to: after.target };
  }
  const targetsKey = (l: Lockfile) =>
    JSON.stringify((l.targets ?? []).map((t) => [t.python, t.platform, t.marker]));
  if (targetsKey(before) !== targetsKey(after)) {
    result.targets = { from: before.targets ?? null, to: after.targets ?? null };
  }
  if (before.configHash !== after.configHash) {
    result.configHash = { from: before.configHash, to: after.configHash };
  }
  result.equal = !result.addedEnvironments.length && !result.removedEnvironments.length &&
    !Object.keys(result.environments).length && result.target === null &&
    result.targets === null && result.configHash === null;
  return result;
}

/** The lines `envknit diff` prints for one environment's changes (sorted by name). */
export function describeChanges(diff: EnvironmentDiff): string[] {
  // An entry of a lock with targets says where it applies: `+ colorama 0.4.6 ; sys_platform …`.
  const at = (p: { marker?: string }) => (p.marker ? ` ; ${p.marker}` : "");
  const rows: [string, string][] = [
    ...diff.added.map((p): [string, string] => [p.name, `+ ${p.name} ${p.version}${at(p)}`]),
    ...diff.removed.map((p): [string, string] => [p.name, `- ${p.name} ${p.version}${at(p)}`]),
    ...diff.changed.map((c): [string, string] => [
      c.name,
      c.kind === "wheels"
        ? `~ ${c.name} ${c.to}${at(c)} (other wheels)`
        : c.kind === "requirements"
        ? `~ ${c.name} ${c.to}${at(c)} (${describeRequirements(c.requirements!)})`
        : c.kind === "islands"
        ? `~ ${c.name} ${c.to}${at(c)} (${c.islands!.from} → ${c.islands!.to})`
        : `${c.kind === "upgraded" ? "↑" : "↓"} ${c.name} ${c.from} → ${c.to}${at(c)}`,
    ]),
  ];
  const lines = rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, l]) => l);
  if (diff.islands) {
    // `islands: [dep-a] [dep-b] → [dep-b, tabular] [dep-a]`: island 0 (the application's) first.
    const side = (islands: string[][]) =>
      islands.length ? islands.map((r) => `[${r.join(", ")}]`).join(" ") : "none";
    lines.unshift(`islands: ${side(diff.islands.from)} → ${side(diff.islands.to)}`);
  }
  return lines;
}

/** `requires +c>=1, -b<2; extras: x → x,y`: what a `requirements` change changed. */
function describeRequirements(r: NonNullable<PackageChange["requirements"]>): string {
  const parts: string[] = [];
  const deps = [...r.added.map((d) => `+${d}`), ...r.removed.map((d) => `-${d}`)];
  if (deps.length) parts.push(`requires ${deps.join(", ")}`);
  const extras = (list: string[]) => list.length ? list.join(",") : "none";
  if (extras(r.extrasFrom) !== extras(r.extrasTo)) {
    parts.push(`extras ${extras(r.extrasFrom)} → ${extras(r.extrasTo)}`);
  }
  return parts.join("; ");
}
