import { assert, assertEquals } from "../../tests/support/assert.ts";
import type { CandidateVersion, ResolverProvider, VersionMetadata } from "../../resolver/mod.ts";
import { LINUX_312_TARGET as ENV } from "../../resolver/testdata/environments.ts";
import {
  type AllowMultiple,
  type IslandPackage,
  partition,
  type PartitionResult,
  splitHints,
} from "./islands.ts";

/** name → version → its Requires-Dist; a version listed in `compiled` has a non-pure wheel. */
type Registry = Record<string, Record<string, string[]>>;

class Memory implements ResolverProvider {
  constructor(readonly registry: Registry, readonly compiled: Set<string> = new Set()) {}
  listVersions(name: string): Promise<CandidateVersion[] | null> {
    const versions = this.registry[name];
    return Promise.resolve(
      versions
        ? Object.keys(versions).map((version) => ({
          version,
          yanked: false,
          requiresPython: null,
          unavailable: null,
        }))
        : null,
    );
  }
  getMetadata(name: string, version: string): Promise<VersionMetadata> {
    return Promise.resolve({ requiresDist: this.registry[name][version], requiresPython: null });
  }
  isPure = (name: string, version: string) =>
    !this.compiled.has(name) && !this.compiled.has(`${name}==${version}`);
}

function run(
  registry: Registry,
  requirements: string[],
  allowMultiple: AllowMultiple | null,
  compiled: string[] = [],
): Promise<PartitionResult> {
  const memory = new Memory(registry, new Set(compiled));
  return partition({ requirements, environment: ENV, allowMultiple }, {
    provider: memory,
    isPure: memory.isPure,
  });
}

/** Entries as `name version [islands] per_island`, for compact comparisons. */
function entries(packages: IslandPackage[]): string[] {
  return packages.map((p) =>
    `${p.name} ${p.version}` + (p.islands ? ` [${p.islands.join(",")}]` : "") +
    (p.perIsland ? " per_island" : "")
  );
}

/** Seed 004: my_app needs dep_a (tabular 1.x) and dep_b (tabular 2.x). */
const SEED: Registry = {
  "dep-a": { "1.0": ["tabular<2", "common>=1"] },
  "dep-b": { "1.0": ["tabular>=2", "common>=1", "bhelper"] },
  "bhelper": { "1.0": [] },
  "tabular": { "1.4.0": ["numfmt"], "2.1.0": ["numfmt"] },
  "numfmt": { "1.0": [], "1.1": [] },
  "common": { "1.0": [], "1.2": [] },
};

Deno.test("partition: a resolution that works needs no islands, and says which allowed names are unused", async () => {
  const result = await run(SEED, ["dep-a", "common"], ["tabular", "pandas"]);
  assert(result.ok && result.islands === null);
  assertEquals(result.packages.map((p) => `${p.name} ${p.version}`), [
    "common 1.2",
    "dep-a 1.0",
    "numfmt 1.1",
    "tabular 1.4.0",
  ]);
  assertEquals(result.unused, ["pandas"]);
});

Deno.test("partition: seed 004 splits tabular into two islands, sharing what can be shared", async () => {
  const result = await run(SEED, ["dep-a", "dep-b"], ["tabular"]);
  assert(result.ok && result.islands !== null, JSON.stringify(result));
  assertEquals(result.islands.map((i) => i.roots), [["dep-a"], ["dep-b"]]);
  assertEquals(result.split, ["tabular"]);
  assertEquals(result.perIsland, []);
  assertEquals(entries(result.packages), [
    "bhelper 1.0", // only island 1 needs it, and it needs nothing split: shared
    "common 1.2",
    "dep-a 1.0 [0]",
    "dep-b 1.0 [1]",
    "numfmt 1.1", // a dependency of both tabulars, one version: one module object
    "tabular 1.4.0 [0]",
    "tabular 2.1.0 [1]",
  ]);
  assertEquals(result.unused, []);
});

Deno.test("partition: auto splits any pure package", async () => {
  const result = await run(SEED, ["dep-a", "dep-b"], "auto");
  assert(result.ok && result.islands !== null);
  assertEquals(result.split, ["tabular"]);
});

Deno.test("partition: a shared package whose closure holds the split one is per island", async () => {
  const registry: Registry = {
    ...SEED,
    "dep-a": { "1.0": ["tabular<2", "formats"] },
    "dep-b": { "1.0": ["tabular>=2", "formats"] },
    "formats": { "3.0": ["report"] },
    "report": { "1.0": ["tabular"] }, // formats reaches tabular through report
  };
  const result = await run(registry, ["dep-a", "dep-b"], ["tabular"]);
  assert(result.ok && result.islands !== null);
  assertEquals(result.perIsland, ["formats", "report"]);
  assertEquals(entries(result.packages), [
    "dep-a 1.0 [0]",
    "dep-b 1.0 [1]",
    "formats 3.0 per_island",
    "numfmt 1.1",
    "report 1.0 per_island",
    "tabular 1.4.0 [0]",
    "tabular 2.1.0 [1]",
  ]);
});

Deno.test("partition: the greedy puts a requirement in the first island it fits, islands in order", async () => {
  const registry: Registry = {
    ...SEED,
    "dep-c": { "1.0": ["tabular>=2"] },
    "dep-d": { "1.0": ["tabular<2"] },
  };
  const result = await run(registry, ["dep-a", "dep-b", "dep-c", "dep-d", "common"], [
    "tabular",
  ]);
  assert(result.ok && result.islands !== null);
  assertEquals(result.islands.map((i) => i.roots), [["dep-a", "dep-d", "common"], [
    "dep-b",
    "dep-c",
  ]]);
  assertEquals(result.islands[0].requirements, ["dep-a", "dep-d", "common"]);
});

Deno.test("partition: a requirement naming a split package goes to island 0, which the application sees", async () => {
  const result = await run(SEED, ["dep-a", "dep-b", "tabular>=2"], ["tabular"]);
  assert(result.ok && result.islands !== null);
  assertEquals(result.islands.map((i) => i.roots), [["dep-b", "tabular"], ["dep-a"]]);
  assertEquals(entries(result.packages).filter((e) => e.startsWith("tabular")), [
    "tabular 2.1.0 [0]",
    "tabular 1.4.0 [1]",
  ]);
  const t0 = result.packages.find((p) => p.name === "tabular" && p.islands?.includes(0))!;
  assertEquals(t0.version, "2.1.0");
});

Deno.test("partition: a package not allowed to split keeps one version across islands", async () => {
  const registry: Registry = {
    ...SEED,
    "dep-a": { "1.0": ["tabular<2", "util"] },
    "dep-b": { "1.0": ["tabular>=2", "util<2"] },
    "util": { "1.0": [], "2.0": [] },
  };
  // Alone, dep-a would take util 2.0; dep-b's island needs util<2, so dep-a's takes 1.0 too.
  const result = await run(registry, ["dep-a", "dep-b"], ["tabular"]);
  assert(result.ok && result.islands !== null, JSON.stringify(result));
  assertEquals(entries(result.packages), [
    "dep-a 1.0 [0]",
    "dep-b 1.0 [1]",
    "numfmt 1.1",
    "tabular 1.4.0 [0]",
    "tabular 2.1.0 [1]",
    "util 1.0",
  ]);
});

Deno.test("partition: a conflict on a package that may not split fails, with the split it would need", async () => {
  const registry: Registry = {
    ...SEED,
    "dep-a": { "1.0": ["tabular<2", "util>=2"] },
    "dep-b": { "1.0": ["tabular>=2", "util<2"] },
    "util": { "1.0": [], "2.0": [] },
  };
  const result = await run(registry, ["dep-a", "dep-b"], ["tabular"]);
  assert(!result.ok);
  assertEquals(result.hint, {
    split: ["tabular", "util"],
    compiled: [],
    versions: { tabular: ["1.4.0", "2.1.0"], util: ["2.0", "1.0"] },
  });
  assert(result.explanation.length > 0);
});

Deno.test("partition: without allow_multiple a conflict fails with the names to allow", async () => {
  const result = await run(SEED, ["dep-a", "dep-b"], null);
  assert(!result.ok);
  assertEquals(result.hint, {
    split: ["tabular"],
    compiled: [],
    versions: { tabular: ["1.4.0", "2.1.0"] },
  });
  assertEquals(result.compiled, []);
  assertEquals(splitHints("default", result.hint), [
    "each dependency can have the version it needs (tabular 1.4.0 and 2.1.0) in one process: " +
    "add 'allow_multiple: [tabular]' to environments.default in envknit.yaml",
  ]);
  // a list that already names other packages: the line to write is the whole list
  assertEquals(splitHints("web", result.hint, ["six"]), [
    "each dependency can have the version it needs (tabular 1.4.0 and 2.1.0) in one process: " +
    "add 'allow_multiple: [six, tabular]' to environments.web in envknit.yaml",
  ]);
});

Deno.test("partition: a compiled package is never split", async () => {
  const result = await run(SEED, ["dep-a", "dep-b"], ["tabular"], ["tabular"]);
  assert(!result.ok);
  assertEquals(result.compiled, ["tabular"]);
  assertEquals(result.hint, {
    split: ["tabular"],
    compiled: ["tabular"],
    versions: { tabular: ["1.4.0", "2.1.0"] },
  });
  assertEquals(splitHints("default", result.hint, ["tabular"]), [
    "tabular has compiled code, which one process cannot load in two versions: run the code " +
    'that needs tabular 2.1.0 in envknit.worker("tabular", "2.1.0")',
  ]);
  const auto = await run(SEED, ["dep-a", "dep-b"], "auto", ["tabular==2.1.0"]);
  assert(!auto.ok);
  assertEquals(auto.compiled, ["tabular"]);
});

Deno.test("partition: a compiled package that would be duplicated per island is refused", async () => {
  const registry: Registry = {
    ...SEED,
    "dep-a": { "1.0": ["tabular<2", "fastfmt"] },
    "dep-b": { "1.0": ["tabular>=2", "fastfmt"] },
    "fastfmt": { "1.0": ["tabular"] },
  };
  const result = await run(registry, ["dep-a", "dep-b"], ["tabular"], ["fastfmt"]);
  assert(!result.ok);
  assertEquals(result.compiled, ["fastfmt", "tabular"]);
  assertEquals(result.hint?.compiled, ["fastfmt"]);
  assertEquals(splitHints("default", result.hint, ["tabular"]), [
    "fastfmt has compiled code and depends on tabular, so it cannot have one instance per " +
    'island: run the code that needs tabular 2.1.0 in envknit.worker("tabular", "2.1.0")',
  ]);
});

Deno.test("partition: a requirement that fails alone fails the whole, with no hint", async () => {
  const result = await run(SEED, ["dep-a", "tabular>=9"], ["tabular"]);
  assert(!result.ok);
  assertEquals(result.hint, null);
});

Deno.test("partition: the same input gives the same islands and entries", async () => {
  const registry: Registry = {
    ...SEED,
    "dep-c": { "1.0": ["tabular>=2,<2.2", "common<1.2"] },
  };
  const a = await run(registry, ["dep-a", "dep-b", "dep-c"], "auto");
  const b = await run(registry, ["dep-a", "dep-b", "dep-c"], "auto");
  assertEquals(JSON.stringify(a), JSON.stringify(b));
  assert(a.ok && a.islands !== null);
  // common is not split although dep-c alone would take 1.0 and dep-a 1.2: 1.0 serves both.
  assertEquals(entries(a.packages).filter((e) => e.startsWith("common")), ["common 1.0"]);
});

Deno.test("partition: three islands; a package of two of them is routed to those two", async () => {
  const registry: Registry = {
    ...SEED,
    "tabular": { "1.4.0": [], "2.1.0": [], "3.0.0": [] },
    "dep-b": { "1.0": ["tabular>=2,<3", "chart"] },
    "dep-c": { "1.0": ["tabular>=3", "chart"] },
    "chart": { "1.0": ["tabular"] },
  };
  const result = await run(registry, ["dep-a", "dep-b", "dep-c"], ["tabular"]);
  assert(result.ok && result.islands !== null);
  assertEquals(result.islands.map((i) => i.roots), [["dep-a"], ["dep-b"], ["dep-c"]]);
  assertEquals(entries(result.packages), [
    "chart 1.0 [1,2] per_island",
    "common 1.2",
    "dep-a 1.0 [0]",
    "dep-b 1.0 [1]",
    "dep-c 1.0 [2]",
    "tabular 1.4.0 [0]",
    "tabular 2.1.0 [1]",
    "tabular 3.0.0 [2]",
  ]);
});
