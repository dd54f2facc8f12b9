/**
 * Resolver benchmark, printed as JSON (`deno run -A bench/resolver/main.ts`):
 *
 * - `wasm`: compiling and instantiating the resolver's .wasm (cold, then the median of repeats);
 * - `packse`: every packse scenario in one process — the resolutions alone, and the whole
 *   conformance run (expectations, judging);
 * - `synthetic`: a 1,000-package graph, 50 versions each, ~10 dependencies per version with upper
 *   and lower bounds, where the newest versions of some packages are bad (conflicting pins, which
 *   force learning and backjumping, and pins of versions that do not exist);
 * - `adversarial`: families known to make resolvers backtrack (long chains that fail at the
 *   bottom, many packages fighting over one shared dependency, a package whose versions must all
 *   be tried, the wrong-backtracking shape, an unsatisfiable cycle that must be explained);
 * - `memory`: peak resident set size of this process and the size of the wasm memory.
 *
 * Targets on the reference machine: packse < 1 s, synthetic < 2 s, instantiation < 20 ms, peak
 * memory < 200 MB. `--quick` runs smaller sizes (for a smoke test).
 *
 * @module
 */
import * as wasm from "../../resolver/envknit_resolver.wasm";
import {
  type CandidateVersion,
  resolve,
  type ResolveResult,
  type ResolverProvider,
  type VersionMetadata,
} from "../../resolver/mod.ts";
import { LINUX_312_TARGET as ENV } from "../../resolver/testdata/environments.ts";
import { loadScenarios } from "../../tests/support/packse.ts";
import { resolveInMemory, runScenarios, totals } from "../../tests/packse/runner.ts";

let peakRss = 0;
function sampleMemory(): void {
  peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** A registry computed on demand: versions per name, requirements per version. */
interface Registry {
  versions(name: string): string[] | null;
  requires(name: string, version: string): string[];
}

/** An in-memory provider over a registry, counting what it serves. */
class RegistryProvider implements ResolverProvider {
  listed = 0;
  metadata = 0;
  constructor(readonly registry: Registry) {}

  listVersions(name: string): Promise<CandidateVersion[] | null> {
    this.listed++;
    const versions = this.registry.versions(name);
    return Promise.resolve(
      versions?.map((version) => ({
        version,
        yanked: false,
        requiresPython: null,
        unavailable: null,
      })) ??
        null,
    );
  }

  getMetadata(name: string, version: string): Promise<VersionMetadata> {
    this.metadata++;
    return Promise.resolve({
      requiresDist: this.registry.requires(name, version),
      requiresPython: null,
    });
  }
}

interface RunReport {
  ms: number;
  /** Whether a solution was found (some families are unsatisfiable on purpose). */
  solved: boolean;
  packages?: number;
  explanation_lines?: number;
  decisions?: number;
  conflicts?: number;
  steps?: number;
  versions_listed: number;
  metadata_fetched: number;
}

async function timed(requirements: string[], registry: Registry): Promise<RunReport> {
  const provider = new RegistryProvider(registry);
  const started = performance.now();
  const result: ResolveResult = await resolve({ requirements, environment: ENV }, provider);
  const ms = performance.now() - started;
  sampleMemory();
  return {
    ms: round(ms),
    solved: result.ok,
    ...(result.ok
      ? { packages: result.packages.length }
      : { explanation_lines: result.explanation.split("\n").length }),
    decisions: result.stats?.decisions,
    conflicts: result.stats?.conflicts,
    steps: result.stats?.steps,
    versions_listed: provider.listed,
    metadata_fetched: provider.metadata,
  };
}

/** A small deterministic hash (no Math.random: the benchmark must be reproducible). */
function hash(...parts: number[]): number {
  let h = 2166136261;
  for (const p of parts) {
    h ^= p;
    h = Math.imul(h, 16777619);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

function versionList(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i + 1}.0.0`);
}

/**
 * `packages` packages of `versions` versions; version v of package i depends on `fanout` later
 * packages j with `>=v-spread,<=v+spread` (so dependents constrain each other densely). In about
 * one package in `brokenEvery`, the newest `brokenTop` versions are bad: half of them pin another
 * package to an old version (a conflict found only once the solver gets there, so it must learn
 * and jump back), the other half pin a version that does not exist.
 */
function synthetic(
  packages: number,
  versions: number,
  fanout: number,
  spread: number,
  brokenEvery: number,
  brokenTop: number,
): Registry {
  const names = Array.from({ length: packages }, (_, i) => `pkg${i}`);
  const all = versionList(versions);
  return {
    versions: (name) => (name.startsWith("pkg") ? all : null),
    requires(name, version) {
      const i = Number(name.slice(3));
      const v = Number(version.split(".")[0]);
      const out: string[] = [];
      const later = (k: number) =>
        i + 1 + (hash(i, k) % Math.max(1, Math.min(packages - i - 1, 60)));
      for (let k = 0; k < fanout; k++) {
        const j = later(k);
        if (j >= packages) break;
        const lo = Math.max(1, v - spread);
        const hi = Math.min(versions, v + spread);
        out.push(`${names[j]}>=${lo}.0.0,<=${hi}.0.0`);
      }
      if (hash(i, 7777) % brokenEvery === 0 && v > versions - brokenTop && i + 1 < packages) {
        const j = later(fanout + 1);
        out.push(
          hash(i, 4242) % 2
            ? `${names[j]}<=3.0.0`
            : `${names[Math.min(j, packages - 1)]}==${versions + 1}.0.0`,
        );
      }
      return out;
    },
  };
}

async function syntheticBench(quick: boolean) {
  const packages = quick ? 200 : 1000;
  const registry = synthetic(packages, 50, 10, 8, 10, 5);
  const requirements = Array.from({ length: 20 }, (_, i) => `pkg${i * Math.floor(packages / 40)}`);
  requirements.push("pkg0");
  const run = await timed(requirements, registry);
  return { packages, versions_each: 50, dependencies_per_version: 10, ...run };
}

/** Families that make resolvers backtrack. */
function adversarial(quick: boolean): [string, string[], Registry][] {
  const scale = quick ? 0.3 : 1;
  const chain = Math.round(40 * scale);
  const fighters = Math.round(60 * scale);
  const many = Math.round(2000 * scale);
  const cycle = Math.round(30 * scale);
  return [
    [
      // x_i==v needs x_{i+1}==v, and the last package only has 1.0.0: every v fails at the bottom.
      `chain-fails-at-the-bottom (${chain} packages x 30 versions)`,
      ["x0"],
      {
        versions: (n) =>
          n.startsWith("x")
            ? (Number(n.slice(1)) === chain - 1 ? ["1.0.0"] : versionList(30))
            : null,
        requires: (n, v) => {
          const i = Number(n.slice(1));
          return i + 1 < chain ? [`x${i + 1}==${v}`] : [];
        },
      },
    ],
    [
      // Every fighter's newer versions need a newer `shared` than the user allows.
      `shared-dependency-fight (${fighters} packages x 20 versions)`,
      [...Array.from({ length: fighters }, (_, i) => `f${i}`), "shared<3"],
      {
        versions: (
          n,
        ) => (n.startsWith("f") ? versionList(20) : n === "shared" ? versionList(20) : null),
        requires: (n, v) => (n.startsWith("f") ? [`shared>=${v}`] : []),
      },
    ],
    [
      // Only the oldest version of `a` works: every other one needs a project that does not exist.
      `all-versions-tried (${many} versions)`,
      ["a"],
      {
        versions: (n) => (n === "a" ? versionList(many) : null),
        requires: (_n, v) => (v === "1.0.0" ? [] : [`missing-${v.split(".")[0]}`]),
      },
    ],
    [
      // packse's wrong-backtracking shape, widened: `b`'s newest versions conflict with a
      // decision made first; the solver must prefer `b` rather than walk down to its old versions.
      "wrong-backtracking (100 versions of b)",
      ["a", "b"],
      {
        versions: (n) =>
          n === "a"
            ? ["1.0.0", "2.0.0"]
            : n === "b"
            ? versionList(100)
            : n === "too-old"
            ? ["1.0.0"]
            : null,
        requires: (n, v) => (n === "b" ? (v === "1.0.0" ? ["too-old"] : ["a==1.0.0"]) : []),
      },
    ],
    [
      // No solution: x_i's versions need x_{i+1} of the same parity, and the last one needs x0 of
      // the other parity. Parity sets are no intervals, and every version of x0 must be refuted.
      `parity-cycle, unsatisfiable (${cycle} packages x 12 versions)`,
      ["x0"],
      {
        versions: (n) => (n.startsWith("x") ? versionList(12) : null),
        requires: (n, v) => {
          const i = Number(n.slice(1));
          const w = Number(v.split(".")[0]);
          const flip = i === cycle - 1;
          const excluded = versionList(12).filter((_, k) => ((k + 1) % 2 === w % 2) === flip);
          return [`x${(i + 1) % cycle}${excluded.map((e) => `!=${e}`).join(",")}`];
        },
      },
    ],
  ];
}

async function wasmBench() {
  const bytes = await Deno.readFile(
    new URL("../../resolver/envknit_resolver.wasm", import.meta.url),
  );
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    const module = new WebAssembly.Module(bytes);
    new WebAssembly.Instance(module, {});
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    bytes: bytes.length,
    cold_ms: round(times[0]),
    median_ms: round(sorted[Math.floor(sorted.length / 2)]),
  };
}

async function packseBench() {
  const scenarios = await loadScenarios();
  let started = performance.now();
  for (const s of scenarios) await resolveInMemory(s);
  const resolveMs = performance.now() - started;
  started = performance.now();
  const reports = await runScenarios(scenarios);
  const runMs = performance.now() - started;
  sampleMemory();
  const t = totals(reports);
  const slowest = reports.reduce((a, b) => (b.millis > a.millis ? b : a));
  return {
    scenarios: scenarios.length,
    resolve_all_ms: round(resolveMs),
    conformance_run_ms: round(runMs),
    slowest: { name: slowest.scenario.name, ms: round(slowest.millis) },
    passed: t.passed,
    failed: t.failed,
    unsupported: t.unsupported,
  };
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  sampleMemory();
  const wasmTimes = await wasmBench();
  const packse = await packseBench();
  const syntheticRun = await syntheticBench(quick);
  const families: Record<string, RunReport> = {};
  for (const [name, requirements, registry] of adversarial(quick)) {
    families[name] = await timed(requirements, registry);
  }
  sampleMemory();
  const report = {
    deno: Deno.version.deno,
    quick,
    wasm: wasmTimes,
    packse,
    synthetic: syntheticRun,
    adversarial: families,
    memory: {
      peak_rss_mb: Math.round(peakRss / 1e5) / 10,
      wasm_memory_mb: Math.round(wasm.memory.buffer.byteLength / 1e5) / 10,
    },
    targets: {
      packse_under_1s: packse.resolve_all_ms < 1000,
      synthetic_under_2s: syntheticRun.ms < 2000,
      wasm_instantiation_under_20ms: wasmTimes.cold_ms < 20,
      peak_memory_under_200mb: peakRss < 200e6,
    },
  };
  console.log(JSON.stringify(report, null, 2));
}
