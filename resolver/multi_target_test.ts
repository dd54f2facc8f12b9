/**
 * Multi-target resolution and merging (multi_target.ts, merge_targets.ts) on in-memory indexes
 * whose wheels fit some targets only (per-Python builds, platform-only wheels), with
 * Windows-only dependencies and Requires-Python caps; every result is checked target by target
 * by `packaging` (tests/support/target_oracle.py).
 */
import { assert, assertEquals, assertStringIncludes } from "../tests/support/assert.ts";
import {
  type OracleCase,
  oracleProblems,
  type OracleRelease,
} from "../tests/support/target_oracle.ts";
import { type Interpreter, interpreterFromTarget, unavailableReason } from "../store/tags/mod.ts";
import { type MergedPackage, mergeTargets } from "./merge_targets.ts";
import { resolveTargets, type TargetInput, verifySolution } from "./multi_target.ts";
import {
  type CandidateVersion,
  resolve,
  type ResolverProvider,
  type VersionMetadata,
} from "./solve.ts";
import { mulberry32 } from "../tests/support/random.ts";

/** One version: its requirements, Requires-Python and wheel tags (default `py3-none-any`). */
interface Release {
  requires?: string[];
  requiresPython?: string;
  tags?: string[];
}

type Index = Record<string, Record<string, Release>>;

function files(name: string, version: string, r: Release): string[] {
  return (r.tags ?? ["py3-none-any"]).map((t) =>
    `${name.replaceAll("-", "_")}-${version}-${t}.whl`
  );
}

class MemoryProvider implements ResolverProvider {
  metadataCalls = 0;
  constructor(readonly index: Index, readonly interp: Interpreter) {}
  listVersions(name: string): Promise<CandidateVersion[] | null> {
    const versions = this.index[name];
    if (!versions) return Promise.resolve(null);
    return Promise.resolve(
      Object.entries(versions).map(([version, r]) => ({
        version,
        yanked: false,
        requiresPython: r.requiresPython ?? null,
        unavailable: unavailableReason(files(name, version, r), this.interp),
      })),
    );
  }
  getMetadata(name: string, version: string): Promise<VersionMetadata> {
    this.metadataCalls++;
    const r = this.index[name][version];
    return Promise.resolve({
      requiresDist: r.requires ?? [],
      requiresPython: r.requiresPython ?? null,
    });
  }
}

type Target = [python: string, platform: string];

const FOUR: Target[] = [
  ["3.11", "manylinux_2_36_x86_64"],
  ["3.13", "manylinux_2_36_x86_64"],
  ["3.12", "win_amd64"],
  ["3.12", "macosx_14_0_arm64"],
];

function interpreters(targets: Target[]): Interpreter[] {
  return targets.map(([pythonVersion, platform]) =>
    interpreterFromTarget({ pythonVersion, platform })
  );
}

function inputs(
  index: Index,
  targets: Target[],
  prefs: Record<string, string>[] = [],
): TargetInput[] {
  return interpreters(targets).map((interp, i) => ({
    environment: interp.markers,
    provider: new MemoryProvider(index, interp),
    preferences: prefs[i],
  }));
}

/** Resolves, merges, and has packaging check the merged entries on every target. */
async function lockFor(
  index: Index,
  requirements: string[],
  targets: Target[] = FOUR,
  prefs: Record<string, string>[] = [],
): Promise<MergedPackage[]> {
  const interps = interpreters(targets);
  const result = await resolveTargets({ requirements, targets: inputs(index, targets, prefs) });
  assert(result.ok, result.ok ? "" : result.explanation);
  assert(result.stats.converged);
  const entries = mergeTargets(interps.map((i) => i.markers), result.solutions);
  const oracleIndex: OracleCase["index"] = {};
  for (const [name, versions] of Object.entries(index)) {
    oracleIndex[name] = {};
    for (const [version, r] of Object.entries(versions)) {
      oracleIndex[name][version] = {
        requires_dist: r.requires ?? [],
        requires_python: r.requiresPython ?? null,
        wheels: files(name, version, r),
      } satisfies OracleRelease;
    }
  }
  const problems = await oracleProblems({
    requirements,
    index: oracleIndex,
    targets: interps.map((i) => ({
      env: i.markers,
      python: i.pythonVersion,
      platforms: i.platforms,
    })),
    entries,
  });
  assertEquals(problems, []);
  return entries;
}

/** The entries as `name version [marker]` lines. */
function lines(entries: MergedPackage[]): string[] {
  return entries.map((e) => `${e.name} ${e.version}${e.marker ? ` ; ${e.marker}` : ""}`);
}

Deno.test("multi-target: one version wherever one version serves every target", async () => {
  const index: Index = {
    app: { "1.0": { requires: ["lib"] } },
    lib: { "1.0": {}, "2.0": { requiresPython: ">=3.12" } },
  };
  // 2.0 serves 3.12 and 3.13 but not 3.11: 1.0 serves all four, so it is the one version.
  assertEquals(lines(await lockFor(index, ["app"])), ["app 1.0", "lib 1.0"]);
  // Without the 3.11 target, the newest serves all.
  assertEquals(lines(await lockFor(index, ["app"], FOUR.slice(1))), ["app 1.0", "lib 2.0"]);
});

Deno.test("multi-target: per-Python builds and platform-only wheels", async () => {
  const index: Index = {
    fast: {
      "1.0": {
        tags: [
          "cp311-cp311-manylinux_2_17_x86_64",
          "cp312-cp312-win_amd64",
          "cp312-cp312-macosx_11_0_arm64",
        ],
      },
      // 2.0 was built for 3.12+ only: 3.11 keeps 1.0, the others share 1.0 too (it serves them).
      "2.0": {
        tags: [
          "cp312-cp312-win_amd64",
          "cp312-cp312-macosx_11_0_arm64",
          "cp313-cp313-manylinux_2_17_x86_64",
        ],
      },
    },
    // No 3.13 wheel of 1.x: there a different version is needed.
    native: {
      "1.0": {
        tags: [
          "cp311-cp311-manylinux_2_17_x86_64",
          "cp312-abi3-win_amd64",
          "cp312-abi3-macosx_11_0_arm64",
        ],
      },
      "1.1": { tags: ["cp313-cp313-manylinux_2_17_x86_64"] },
    },
  };
  const entries = await lockFor(index, ["fast", "native"]);
  assertEquals(
    lines(entries),
    [
      'fast 1.0 ; python_version == "3.11" or python_version == "3.12"',
      'fast 2.0 ; python_version == "3.13"',
      'native 1.0 ; python_version == "3.11" or python_version == "3.12"',
      'native 1.1 ; python_version == "3.13"',
    ].map((l) => l),
  );
});

Deno.test("multi-target: a Windows-only dependency keeps its marker, and only Windows has it", async () => {
  const index: Index = {
    cli: { "2.0": { requires: ["colorama>=0.4; sys_platform == 'win32'", "click"] } },
    click: { "8.1": { requires: ["colorama; platform_system == 'Windows'"] } },
    colorama: { "0.4.6": {} },
    appnope: { "0.1.4": {} },
    kernel: { "6.0": { requires: ["appnope; platform_system == 'Darwin'", "cli"] } },
  };
  const entries = await lockFor(index, ["kernel"]);
  assertEquals(lines(entries), [
    'appnope 0.1.4 ; sys_platform == "darwin"',
    "cli 2.0",
    "click 8.1",
    'colorama 0.4.6 ; sys_platform == "win32"',
    "kernel 6.0",
  ]);
  const byName = new Map(entries.map((e) => [e.name, e]));
  assertEquals(byName.get("cli")!.dependencies, [
    'colorama>=0.4 ; sys_platform == "win32"',
    "click",
  ]);
  assertEquals(byName.get("click")!.dependencies, ['colorama ; sys_platform == "win32"']);
  assertEquals(byName.get("kernel")!.dependencies, ['appnope ; sys_platform == "darwin"', "cli"]);
});

Deno.test("multi-target: Requires-Python caps split a package by Python", async () => {
  const index: Index = {
    tool: {
      "1.0": { requiresPython: ">=3.8" },
      "2.0": { requiresPython: ">=3.8,<3.12" },
      "3.0": { requiresPython: ">=3.12", requires: ["helper>=2"] },
    },
    helper: { "1.0": {}, "2.0": {} },
  };
  const targets: Target[] = [["3.11", "manylinux_2_28_x86_64"], ["3.13", "manylinux_2_28_x86_64"]];
  const entries = await lockFor(index, ["tool>=2"], targets);
  assertEquals(lines(entries), [
    'helper 2.0 ; python_version == "3.13"',
    'tool 2.0 ; python_version == "3.11"',
    'tool 3.0 ; python_version == "3.13"',
  ]);
  // The dependency markers of an entry are against its own targets: none needed here.
  assertEquals(entries.find((e) => e.version === "3.0")!.dependencies, ["helper>=2"]);
});

Deno.test("multi-target: versions forced on one target are shared where they fit (packse fork-marker-selection)", async () => {
  const index: Index = {
    a: { "0.1.0": {}, "0.2.0": { requires: ["b>=2.0.0"] } },
    b: { "1.0.0": {}, "2.0.0": {} },
  };
  const entries = await lockFor(index, [
    "a",
    "b>=2 ; sys_platform == 'linux'",
    "b<2 ; sys_platform == 'darwin'",
  ]);
  assertEquals(lines(entries), [
    "a 0.1.0",
    'b 1.0.0 ; sys_platform == "darwin"',
    'b 2.0.0 ; sys_platform == "linux"',
  ]);
});

Deno.test("multi-target: an extra requested on one target only", async () => {
  const index: Index = {
    web: { "1.0": { requires: ["uvloop; extra == 'speed'", "h11"] } },
    uvloop: {
      "0.19": { tags: ["cp311-cp311-manylinux_2_17_x86_64", "cp313-cp313-manylinux_2_17_x86_64"] },
    },
    h11: { "0.14": {} },
  };
  const entries = await lockFor(index, [
    "web[speed] ; sys_platform == 'linux'",
    "web ; sys_platform != 'linux'",
  ]);
  const web = entries.find((e) => e.name === "web")!;
  assertEquals(web.marker, null);
  assertEquals(web.extras, ["speed"]);
  assertEquals(web.dependencies, ["h11", 'uvloop ; sys_platform == "linux"']);
  assertEquals(entries.find((e) => e.name === "uvloop")!.marker, 'sys_platform == "linux"');
});

Deno.test("multi-target: the old lock's versions are kept on their targets", async () => {
  const index: Index = { lib: { "1.0": {}, "1.5": {}, "2.0": {} } };
  const targets = FOUR.slice(0, 2);
  assertEquals(lines(await lockFor(index, ["lib"], targets)), ["lib 2.0"]);
  assertEquals(
    lines(await lockFor(index, ["lib"], targets, [{ lib: "1.5" }, { lib: "1.5" }])),
    ["lib 1.5"],
  );
  // A target added since (no old versions) shares the old one.
  assertEquals(lines(await lockFor(index, ["lib"], targets, [{ lib: "1.5" }, {}])), ["lib 1.5"]);
});

Deno.test("multi-target: no wheel for one target is an error naming the target and the package", async () => {
  const index: Index = {
    app: { "1.0": { requires: ["posixonly"] } },
    posixonly: {
      "1.0": { tags: ["py3-none-manylinux_2_17_x86_64", "py3-none-macosx_11_0_arm64"] },
    },
  };
  const result = await resolveTargets({ requirements: ["app"], targets: inputs(index, FOUR) });
  assert(!result.ok);
  assertEquals(result.target, 2);
  assertStringIncludes(result.explanation, "posixonly==1.0 has no usable wheel");
});

Deno.test("multi-target: deterministic, and the first round's data serves the later ones", async () => {
  const index: Index = {
    a: { "1.0": {}, "2.0": { requiresPython: ">=3.12" }, "3.0": { requiresPython: ">=3.13" } },
    b: { "1.0": { requires: ["a"] } },
  };
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const targets = inputs(index, FOUR);
    const result = await resolveTargets({ requirements: ["b"], targets });
    assert(result.ok);
    runs.push(JSON.stringify(result.solutions));
    // a 1.0 serves everyone: the targets that chose 2.0 or 3.0 were resolved again.
    assertEquals(result.solutions.map((s) => s.find((p) => p.name === "a")!.version), [
      "1.0",
      "1.0",
      "1.0",
      "1.0",
    ]);
    assert(result.stats.resolutions <= 8, `${result.stats.resolutions}`);
  }
  assertEquals(new Set(runs).size, 1);
});

Deno.test("multi-target: one target is a plain resolution", async () => {
  const index: Index = { a: { "1.0": {}, "2.0": {} } };
  const result = await resolveTargets({ requirements: ["a"], targets: inputs(index, [FOUR[0]]) });
  assert(result.ok);
  assertEquals(result.stats.resolutions, 1);
  assertEquals(
    mergeTargets([interpreters([FOUR[0]])[0].markers], result.solutions)[0].marker,
    null,
  );
});

Deno.test("multi-target: a target another's solution solves takes it without the solver", async () => {
  const index: Index = {
    app: { "1.0": { requires: ["lib[fast]>=1", 'winonly ; sys_platform == "win32"'] } },
    lib: {
      "1.0": { requires: ['speedup ; extra == "fast"'] },
      "2.0": { requires: ['speedup ; extra == "fast"'] },
    },
    speedup: { "1.0": {} },
    winonly: { "1.0": {} },
  };
  // Two Linux Pythons: the second takes the first's solution unchecked by the solver.
  const linux: Target[] = [FOUR[0], FOUR[1]];
  const result = await resolveTargets({ requirements: ["app"], targets: inputs(index, linux) });
  assert(result.ok);
  assertEquals(result.stats.resolutions, 1);
  assertEquals(result.stats.verified, 1);
  assertEquals(result.solutions[1], result.solutions[0]);
  assertEquals(result.solutions[0].find((p) => p.name === "lib")!.extras, ["fast"]);
  // Windows needs winonly, which Linux did not: resolved.
  const all = await resolveTargets({ requirements: ["app"], targets: inputs(index, FOUR) });
  assert(all.ok);
  assertEquals(all.stats.verified, 2);
  assertEquals(all.stats.resolutions, 2);
  assert(all.solutions[2].some((p) => p.name === "winonly"));
  await lockFor(index, ["app"]);
});

Deno.test("multi-target: a verified solution is exactly what the solver returns preferring it (random indexes)", async () => {
  const random = mulberry32(17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const names = ["a", "b", "c", "d", "e", "f"];
  const markers = [
    'python_version < "3.12"',
    'python_version >= "3.13"',
    'sys_platform == "win32"',
    'sys_platform != "darwin"',
    'platform_machine == "arm64"',
    'extra == "x"',
    'extra == "y" and python_version < "3.13"',
  ];
  const tagSets = [
    ["py3-none-any"],
    ["py3-none-any"],
    ["cp311-cp311-manylinux_2_17_x86_64", "cp312-cp312-win_amd64", "cp312-cp312-macosx_11_0_arm64"],
    ["cp313-cp313-manylinux_2_17_x86_64", "py3-none-any"],
  ];
  let verified = 0;
  let compared = 0;
  for (let round = 0; round < 150; round++) {
    const index: Index = {};
    for (const [i, name] of names.entries()) {
      index[name] = {};
      for (const version of ["1.0", "1.1", "2.0"]) {
        const requires: string[] = [];
        for (const dep of names.slice(i + 1)) {
          if (random() < 0.3) {
            const extra = random() < 0.2 ? "[x]" : "";
            const spec = pick(["", ">=1.1", "<2", "!=1.0"]);
            const marker = random() < 0.5 ? ` ; ${pick(markers)}` : "";
            requires.push(`${dep}${extra}${spec}${marker}`);
          }
        }
        index[name][version] = {
          requires,
          ...(random() < 0.2 ? { requiresPython: pick([">=3.12", "<3.13", ">=3.11,<3.12"]) } : {}),
          tags: pick(tagSets),
        };
      }
    }
    const roots = [`a${random() < 0.3 ? "[y]" : ""}`, ...(random() < 0.5 ? ["c"] : [])];
    const targets = inputs(index, FOUR);
    const solved = await Promise.all(
      targets.map((t) => resolve({ requirements: roots, environment: t.environment }, t.provider)),
    );
    for (const [r, ref] of solved.entries()) {
      if (!ref.ok) continue;
      for (const [t, target] of targets.entries()) {
        if (t === r) continue;
        const got = await verifySolution({ requirements: roots }, target, ref.packages);
        const preferences = Object.fromEntries(ref.packages.map((p) => [p.name, p.version]));
        const want = await resolve(
          { requirements: roots, environment: target.environment, preferences },
          target.provider,
        );
        if (got === null) continue;
        verified++;
        assert(want.ok, `round ${round}: verified for target ${t}, but the solver finds none`);
        compared++;
        assertEquals(got, want.packages, `round ${round}, target ${t} from ${r}`);
      }
    }
  }
  assert(verified > 50, `only ${verified} verified`);
  assertEquals(compared, verified);
});
