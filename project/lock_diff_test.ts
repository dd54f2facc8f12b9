// Locks with targets: entries of one name are told apart by their markers in diffs (#17.2).
import { assertEquals } from "../tests/support/assert.ts";
import { describeChanges, diffLocks, diffPackages } from "./lock_diff.ts";
import type { Lockfile, LockPackage } from "./lock.ts";

const entry = (name: string, version: string, marker?: string): LockPackage => ({
  name,
  version,
  dependencies: [],
  wheels: [],
  ...(marker ? { marker } : {}),
});

Deno.test("entries of one name with other markers are diffed each on its own", () => {
  const before = [
    entry("native", "1.0", 'python_version == "3.11"'),
    entry("native", "2.0", 'python_version == "3.13"'),
  ];
  const after = [
    entry("native", "1.0", 'python_version == "3.11"'),
    entry("native", "2.1", 'python_version == "3.13"'),
    entry("colorama", "0.4.6", 'sys_platform == "win32"'),
  ];
  const diff = diffPackages(before, after);
  assertEquals(diff.added, [{
    name: "colorama",
    version: "0.4.6",
    marker: 'sys_platform == "win32"',
  }]);
  assertEquals(diff.changed.map((c) => [c.name, c.from, c.to, c.marker]), [
    ["native", "2.0", "2.1", 'python_version == "3.13"'],
  ]);
  assertEquals(describeChanges(diff), [
    '+ colorama 0.4.6 ; sys_platform == "win32"',
    '↑ native 2.0 → 2.1 ; python_version == "3.13"',
  ]);
});

Deno.test("a lock whose targets changed differs", () => {
  const lock = (targets?: Lockfile["targets"]): Lockfile => ({
    schemaVersion: "1.2",
    lockGeneratedAt: "",
    resolverVersion: "",
    configHash: "",
    target: { python: "", platform: "" },
    ...(targets ? { targets } : {}),
    environments: {},
  });
  const a = lock([{ python: "3.11", platform: "win_amd64", marker: 'python_version == "3.11"' }]);
  const b = lock([{ python: "3.12", platform: "win_amd64", marker: 'python_version == "3.12"' }]);
  assertEquals(diffLocks(a, a).equal, true);
  const diff = diffLocks(a, b);
  assertEquals([diff.equal, diff.targets?.to?.[0].python], [false, "3.12"]);
});

Deno.test("islands: the versions of a split package are diffed each on its own (#16.3)", () => {
  const island = (name: string, version: string, k: number): LockPackage => ({
    ...entry(name, version),
    island: [k],
  });
  const before = [entry("tabular", "1.4.0"), entry("dep-a", "1.0")];
  const after = [
    island("tabular", "1.4.0", 0),
    island("tabular", "2.1.0", 1),
    island("dep-a", "1.0", 0),
  ];
  const diff = diffPackages(before, after);
  assertEquals(diff, {
    added: [{ name: "tabular", version: "2.1.0" }],
    removed: [],
    changed: [],
  });
  assertEquals(diffPackages(after, after), { added: [], removed: [], changed: [] });
  assertEquals(describeChanges(diffPackages(after, before)), ["- tabular 2.1.0"]);
  // A split package's other version moving: one change.
  const moved = [island("tabular", "1.4.0", 0), island("tabular", "2.2.0", 1)];
  assertEquals(describeChanges(diffPackages(after, moved)).filter((l) => l.includes("tabular")), [
    "↑ tabular 2.1.0 → 2.2.0",
  ]);
});

Deno.test("islands: an entry seen by another island, and other island roots, are changes (#16.3)", () => {
  const at = (name: string, version: string, k: number): LockPackage => ({
    ...entry(name, version),
    island: [k],
  });
  const before = [at("dep-a", "1.0", 0), at("tabular", "1.4.0", 0), at("tabular", "2.1.0", 1)];
  const after = [at("dep-a", "1.0", 1), at("tabular", "1.4.0", 1), at("tabular", "2.1.0", 0)];
  assertEquals(describeChanges(diffPackages(before, after)), [
    "~ dep-a 1.0 (island 0 → island 1)",
    "~ tabular 1.4.0 (island 0 → island 1)",
    "~ tabular 2.1.0 (island 1 → island 0)",
  ]);
});
