/**
 * `envknit lock` beside pip, on the same loopback index serving real wheels.
 *
 *   deno run -A bench/lock/main.ts [--sets NAME,NAME | --multi-target] [--rounds N]
 *
 * For each requirement set, both tools resolve the same requirements for this machine's python3
 * against one loopback index (tests/support/index_server.ts) that serves the projects the set can
 * reach in the local mirror `/opt/pypi`, the way PyPI serves them: PEP 658 metadata files, ETags,
 * `Cache-Control: max-age=600, public` on project pages and an immutable one on files:
 *
 * - pip: `pip --isolated install --dry-run --ignore-installed --report` with its own cache dir,
 *   and the loopback host trusted (pip's HTTP cache works only for https and trusted hosts);
 * - envknit: `envknit lock` through the CLI (a fresh process, as a user runs it).
 *
 * Cold runs start from empty caches (pip's cache dir, `$ENVKNIT_HOME`); warm runs repeat with the
 * caches the cold run left. pip has no lock: its warm run resolves again. envknit's warm run is a
 * re-lock, `envknit lock` run again in the project as a user does after a change elsewhere: the
 * lock is up to date, which envknit finds without resolving (`ops/lock/lock_memo.ts`). It is also
 * measured as it was before that check existed, resolving again from scratch with the lock file
 * removed ("scratch": pages still fresh by the index's max-age are not requested, as pip's and
 * uv's HTTP caches also allow); with the lock removed and `--refresh` (every page revalidated:
 * one conditional request each); and as a user runs the re-lock with `python3` on PATH whatever
 * it is (a pyenv shim here, whose probe is cached under what selects its version: the warm lock
 * runs no interpreter), `ENVKNIT_PYTHON` unset. Each time is the median of `--rounds` runs
 * (default 1). The table gives times, ratios and the requests each tool sent; the last lines
 * compare the geometric means of the per-set ratios with the targets (warm re-lock ≥ 20×, cold
 * ≥ 5× faster; the from-scratch ratio is printed beside them), and time a lock of the jupyter
 * set for four targets (`targets:` in envknit.yaml, resolved together) against the same lock for
 * one (target: < 2×).
 *
 * Without `/opt/pypi` the benchmark says so and exits 0: CI machines do not have the mirror.
 *
 * @module
 */
import { MIRROR, mirrorAvailable, mirrorClosure } from "./mirror.ts";
import { type RequestCounts, startIndex } from "../../tests/support/index_server.ts";
import { parseLock } from "../../project/lock.ts";
import { normalizeName } from "../../core/names.ts";
import { RUN_FLAGS } from "../../tests/support/cli.ts";

/** The requirement sets (all resolvable from the mirror, checked with pip). */
export const SETS: { name: string; requirements: string[] }[] = [
  { name: "requests", requirements: ["requests"] },
  { name: "web", requirements: ["flask", "fastapi", "uvicorn", "httpx"] },
  { name: "data", requirements: ["pandas", "scikit-learn", "matplotlib", "seaborn"] },
  { name: "jupyter", requirements: ["jupyter"] },
  { name: "transformers", requirements: ["transformers"] },
  { name: "dev-tools", requirements: ["black", "pylint", "mypy", "pytest", "pytest-cov"] },
  { name: "dask", requirements: ["dask", "xarray", "numba"] },
];

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * The interpreter both tools resolve for, as a real path: `python3` on PATH may be a launcher
 * (a pyenv shim) that costs a Python start-up of its own on every call; neither tool should pay
 * for that here.
 */
async function realPython(): Promise<string> {
  const out = await new Deno.Command("python3", {
    args: ["-c", "import sys; print(sys.executable)"],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

interface Run {
  seconds: number;
  requests: number;
  pages: number;
  metadata: number;
  notModified: number;
  /** name → version that the tool chose. */
  resolved: Map<string, string>;
}

interface Row {
  set: string;
  packages: number;
  pip: { cold: Run; warm: Run };
  envknit: { cold: Run; warm: Run; scratch: Run; refresh: Run; shim: Run };
  agree: boolean;
  differences: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function run(
  cmd: string[],
  options: { cwd?: string; env: Record<string, string>; clearEnv?: boolean },
): Promise<{ seconds: number; code: number; stderr: string }> {
  const started = performance.now();
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: options.cwd,
    env: options.env,
    clearEnv: options.clearEnv ?? false,
    stdout: "null",
    stderr: "piped",
  });
  const { code, stderr } = await child.output();
  return {
    seconds: (performance.now() - started) / 1000,
    code,
    stderr: new TextDecoder().decode(stderr),
  };
}

function counted(counts: RequestCounts): Omit<Run, "seconds" | "resolved"> {
  return {
    requests: counts.total,
    pages: counts.page,
    metadata: counts.metadata,
    notModified: counts.notModified,
  };
}

async function pipRun(
  python: string,
  indexUrl: string,
  requirements: string[],
  cacheDir: string,
  report: string,
): Promise<{ seconds: number; resolved: Map<string, string> }> {
  // pip alone: no user or site configuration, no find-links from the environment.
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/tmp",
    PIP_CONFIG_FILE: "/dev/null",
  };
  const result = await run([
    python,
    "-m",
    "pip",
    "--isolated",
    "install",
    "--dry-run",
    "--ignore-installed",
    "--quiet",
    "--disable-pip-version-check",
    "--only-binary",
    ":all:",
    "--cache-dir",
    cacheDir,
    "--report",
    report,
    "--index-url",
    indexUrl,
    // pip caches HTTP answers only from https and trusted hosts; without this its warm run would
    // download everything again, as it never does from PyPI.
    "--trusted-host",
    new URL(indexUrl).host,
    ...requirements,
  ], { env, clearEnv: true });
  if (result.code !== 0) throw new Error(`pip failed:\n${result.stderr}`);
  const data = JSON.parse(await Deno.readTextFile(report));
  const resolved = new Map<string, string>();
  for (const item of data.install) {
    resolved.set(normalizeName(item.metadata.name), item.metadata.version);
  }
  return { seconds: result.seconds, resolved };
}

async function envknitRun(
  python: string | null,
  project: string,
  home: string,
  extra: string[] = [],
  keepLock = false,
): Promise<{ seconds: number; resolved: Map<string, string> }> {
  if (!keepLock) await Deno.remove(`${project}/envknit.lock.yaml`).catch(() => {});
  // null: python3 on PATH, as a user without ENVKNIT_PYTHON has it (maybe a pyenv shim).
  const env: Record<string, string> = { ENVKNIT_HOME: home, NO_COLOR: "1" };
  if (python !== null) env.ENVKNIT_PYTHON = python;
  const result = await run([
    Deno.execPath(),
    "run",
    "-A",
    ...RUN_FLAGS,
    `--config=${ROOT}deno.json`,
    `${ROOT}cli/main.ts`,
    "-q",
    "lock",
    ...extra,
  ], { cwd: project, env });
  if (result.code !== 0) throw new Error(`envknit lock failed:\n${result.stderr}`);
  const lock = await parseLock(
    await Deno.readTextFile(`${project}/envknit.lock.yaml`),
    "envknit.lock.yaml",
  );
  const resolved = new Map<string, string>();
  for (const p of lock.environments.default ?? []) resolved.set(p.name, p.version);
  return { seconds: result.seconds, resolved };
}

/** The geometric mean of some ratios. */
function geomean(values: number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

/**
 * The four targets of the multi-target measurement (this machine's first). The mirror holds Linux
 * x86_64 wheels for CPython 3.11 only, and not the Windows- and macOS-only dependencies of the
 * jupyter set (pywinpty, appnope): the targets are four Linux Pythons, locked with `any_wheel`
 * (a version with a wheel for any platform is accepted) in both the one- and the four-target run.
 */
const FOUR_TARGETS = [
  { python: "3.11", platform: "manylinux_2_36_x86_64" },
  { python: "3.12", platform: "manylinux_2_36_x86_64" },
  { python: "3.13", platform: "manylinux_2_28_aarch64" },
  { python: "3.14", platform: "manylinux_2_36_x86_64" },
];

/**
 * `envknit lock` of the jupyter set for one target and for four (`targets:` in envknit.yaml),
 * cold (empty store) and warm (caches kept, the lock removed), median of `rounds`.
 */
async function multiTarget(
  indexUrl: string,
  tmp: string,
  rounds: number,
): Promise<void> {
  const requirements = SETS.find((s) => s.name === "jupyter")!.requirements;
  const times: Record<string, { cold: number[]; warm: number[] }> = {};
  for (const count of [1, 4]) times[count] = { cold: [], warm: [] };
  // Interleaved, so both see the same machine (its load, Deno's compile cache).
  for (let round = 0; round < rounds; round++) {
    for (const count of [1, 4]) {
      const dir = `${tmp}/targets-${count}-${round}`;
      const project = `${dir}/project`;
      await Deno.mkdir(project, { recursive: true });
      const targets = FOUR_TARGETS.slice(0, count).map((t) =>
        `  - {python: "${t.python}", platform: ${t.platform}}\n`
      ).join("");
      await Deno.writeTextFile(
        `${project}/envknit.yaml`,
        `envknit_version: "0.1.0"\nany_wheel: true\nindex:\n  url: ${indexUrl}\n` +
          `targets:\n${targets}` +
          `environments:\n  default:\n    packages: ${JSON.stringify(requirements)}\n`,
      );
      try {
        for (const phase of ["cold", "warm"] as const) {
          const r = await envknitRun(null, project, `${dir}/envknit-home`);
          times[count][phase].push(r.seconds);
        }
      } catch (error) {
        console.log(
          `multi-target: skipped (this envknit cannot lock targets: from envknit.yaml): ${
            String(error).split("\n").slice(0, 3).join(" ")
          }`,
        );
        return;
      }
    }
  }
  const [one, four] = [times[1], times[4]];
  const ratio = (a: number[], b: number[]) => median(b) / median(a);
  console.log(
    `\njupyter for 4 targets (${
      FOUR_TARGETS.map((t) => `${t.python}/${t.platform}`).join(", ")
    }) ` +
      `vs 1: cold ${fmt(median(four.cold))} vs ${fmt(median(one.cold))} ` +
      `(${ratio(one.cold, four.cold).toFixed(2)}x), warm ${fmt(median(four.warm))} vs ` +
      `${fmt(median(one.warm))} (${ratio(one.warm, four.warm).toFixed(2)}x); target < 2x: ${
        ratio(one.cold, four.cold) < 2 && ratio(one.warm, four.warm) < 2 ? "met" : "MISSED"
      }`,
  );
}

function compare(pip: Map<string, string>, envknit: Map<string, string>): string[] {
  const differences: string[] = [];
  for (const name of new Set([...pip.keys(), ...envknit.keys()])) {
    const a = pip.get(name);
    const b = envknit.get(name);
    if (a !== b) differences.push(`${name}: pip ${a ?? "-"}, envknit ${b ?? "-"}`);
  }
  return differences.sort();
}

function fmt(seconds: number): string {
  return seconds >= 10 ? `${seconds.toFixed(1)}s` : `${seconds.toFixed(2)}s`;
}

async function main(args: string[]): Promise<number> {
  if (!(await mirrorAvailable())) {
    console.log(
      `bench/lock: skipped: the local PyPI mirror ${MIRROR}/simple is absent on this machine ` +
        "(it serves the real wheels this benchmark locks)",
    );
    return 0;
  }
  let sets = SETS;
  let rounds = 1;
  let onlyTargets = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--multi-target") {
      onlyTargets = true; // only the jupyter set for four targets against one
      sets = SETS.filter((s) => s.name === "jupyter");
    } else if (args[i] === "--sets") {
      const wanted = new Set(args[++i].split(","));
      sets = SETS.filter((s) => wanted.has(s.name));
    } else if (args[i] === "--rounds") {
      rounds = Math.max(1, Number(args[++i]) || 1);
    } else {
      console.error(
        `usage: deno run -A bench/lock/main.ts [--sets a,b | --multi-target] [--rounds N]`,
      );
      return 2;
    }
  }

  const loading = performance.now();
  const projects = await mirrorClosure(sets.flatMap((s) => s.requirements));
  const files = Object.values(projects).reduce((n, f) => n + f.length, 0);
  console.log(
    `loopback index: ${Object.keys(projects).length} projects, ${files} wheels from ${MIRROR} ` +
      `(loaded in ${((performance.now() - loading) / 1000).toFixed(1)}s)`,
  );
  // As PyPI serves /simple/ pages, and files (wheels and `.metadata`) from its file host.
  await using index = await startIndex({
    projects,
    pageCacheControl: "max-age=600, public",
    fileCacheControl: "max-age=365000000, immutable, public",
  });
  const python = await realPython();
  const tmp = await Deno.makeTempDir({ prefix: "envknit-bench-lock-" });
  const rows: Row[] = [];
  try {
    for (const set of onlyTargets ? [] : sets) {
      const pip = { cold: [] as Run[], warm: [] as Run[] };
      const envknit = {
        cold: [] as Run[],
        warm: [] as Run[],
        scratch: [] as Run[],
        refresh: [] as Run[],
        shim: [] as Run[],
      };
      for (let round = 0; round < rounds; round++) {
        const dir = `${tmp}/${set.name}-${round}`;
        const project = `${dir}/project`;
        await Deno.mkdir(project, { recursive: true });
        await Deno.writeTextFile(
          `${project}/envknit.yaml`,
          `envknit_version: "0.1.0"\nindex:\n  url: ${index.url}\nenvironments:\n  default:\n` +
            `    packages: ${JSON.stringify(set.requirements)}\n`,
        );
        for (const phase of ["cold", "warm"] as const) {
          index.reset();
          const p = await pipRun(
            python,
            index.url,
            set.requirements,
            `${dir}/pip-cache`,
            `${dir}/r.json`,
          );
          pip[phase].push({ ...p, ...counted(index.counts) });
          index.reset();
          // Cold: no lock yet. Warm: the re-lock of the project the cold run locked.
          const e = await envknitRun(python, project, `${dir}/envknit-home`, [], phase === "warm");
          envknit[phase].push({ ...e, ...counted(index.counts) });
        }
        index.reset();
        const f = await envknitRun(python, project, `${dir}/envknit-home`);
        envknit.scratch.push({ ...f, ...counted(index.counts) });
        index.reset();
        const r = await envknitRun(python, project, `${dir}/envknit-home`, ["--refresh"]);
        envknit.refresh.push({ ...r, ...counted(index.counts) });
        // As a user runs it: python3 on PATH. The first run probes it (once per shim choice).
        await envknitRun(null, project, `${dir}/envknit-home`, [], true);
        index.reset();
        const s = await envknitRun(null, project, `${dir}/envknit-home`, [], true);
        envknit.shim.push({ ...s, ...counted(index.counts) });
      }
      const pick = (runs: Run[]): Run => {
        const m = median(runs.map((r) => r.seconds));
        return runs.find((r) => r.seconds === m)!;
      };
      const row: Row = {
        set: set.name,
        packages: pick(envknit.cold).resolved.size,
        pip: { cold: pick(pip.cold), warm: pick(pip.warm) },
        envknit: {
          cold: pick(envknit.cold),
          warm: pick(envknit.warm),
          scratch: pick(envknit.scratch),
          refresh: pick(envknit.refresh),
          shim: pick(envknit.shim),
        },
        agree: false,
        differences: [],
      };
      row.differences = compare(row.pip.cold.resolved, row.envknit.cold.resolved);
      row.agree = row.differences.length === 0;
      rows.push(row);
      const r = row;
      const ratio = (x: number, y: number) => `${(x / y).toFixed(1)}x`.padStart(6);
      console.log(
        `${r.set.padEnd(13)}${String(r.packages).padStart(4)} pkgs | cold: pip ` +
          `${fmt(r.pip.cold.seconds)} envknit ${fmt(r.envknit.cold.seconds)} ` +
          `${ratio(r.pip.cold.seconds, r.envknit.cold.seconds)} | warm: pip ` +
          `${fmt(r.pip.warm.seconds)} envknit re-lock ${fmt(r.envknit.warm.seconds)} ` +
          `${ratio(r.pip.warm.seconds, r.envknit.warm.seconds)}, scratch ` +
          `${fmt(r.envknit.scratch.seconds)} ` +
          `${ratio(r.pip.warm.seconds, r.envknit.scratch.seconds)}, --refresh ` +
          `${fmt(r.envknit.refresh.seconds)} ` +
          `${ratio(r.pip.warm.seconds, r.envknit.refresh.seconds)}, python3 on PATH ` +
          `${fmt(r.envknit.shim.seconds)} ${ratio(r.pip.warm.seconds, r.envknit.shim.seconds)}` +
          ` | requests cold/warm/scratch/refresh: ` +
          `pip ${r.pip.cold.requests}/${r.pip.warm.requests} envknit ` +
          `${r.envknit.cold.requests}/${r.envknit.warm.requests}/${r.envknit.scratch.requests}/` +
          `${r.envknit.refresh.requests} | ` +
          (r.agree ? "same versions" : `${r.differences.length} differ`),
      );
      for (const d of row.differences) console.log(`    ${d}`);
    }
    if (sets.some((s) => s.name === "jupyter")) await multiTarget(index.url, tmp, rounds);
    if (onlyTargets) return 0;
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }

  const total = (f: (r: Row) => number) => rows.reduce((sum, r) => sum + f(r), 0);
  const pipCold = total((r) => r.pip.cold.seconds);
  const pipWarm = total((r) => r.pip.warm.seconds);
  const ekCold = total((r) => r.envknit.cold.seconds);
  const ekWarm = total((r) => r.envknit.warm.seconds);
  const ekScratch = total((r) => r.envknit.scratch.seconds);
  const ekRefresh = total((r) => r.envknit.refresh.seconds);
  const coldRatio = pipCold / ekCold;
  const warmRatio = pipWarm / ekWarm;
  const refreshRatio = pipWarm / ekRefresh;
  console.log(
    `\ntotal (${rows.length} sets): cold pip ${fmt(pipCold)} envknit ${fmt(ekCold)} ` +
      `(${coldRatio.toFixed(1)}x); warm pip ${fmt(pipWarm)} envknit re-lock ${fmt(ekWarm)} ` +
      `(${warmRatio.toFixed(1)}x), from scratch ${fmt(ekScratch)} ` +
      `(${(pipWarm / ekScratch).toFixed(1)}x), with --refresh ${fmt(ekRefresh)} ` +
      `(${refreshRatio.toFixed(1)}x)`,
  );
  console.log(
    `requests: pip ${total((r) => r.pip.cold.requests)} cold / ${
      total((r) => r.pip.warm.requests)
    } warm; envknit ${total((r) => r.envknit.cold.requests)} cold / ${
      total((r) => r.envknit.warm.requests)
    } re-lock / ${total((r) => r.envknit.scratch.requests)} from scratch / ${
      total((r) => r.envknit.refresh.requests)
    } --refresh (${total((r) => r.envknit.refresh.notModified)} answered 304, ${
      total((r) => r.envknit.refresh.metadata)
    } metadata)`,
  );
  const geo = (f: (r: Row) => number) => geomean(rows.map(f));
  const geoCold = geo((r) => r.pip.cold.seconds / r.envknit.cold.seconds);
  const geoWarm = geo((r) => r.pip.warm.seconds / r.envknit.warm.seconds);
  const geoScratch = geo((r) => r.pip.warm.seconds / r.envknit.scratch.seconds);
  const geoShim = geo((r) => r.pip.warm.seconds / r.envknit.shim.seconds);
  const geoRefresh = geo((r) => r.pip.warm.seconds / r.envknit.refresh.seconds);
  console.log(
    `geometric mean of the per-set ratios: cold ${geoCold.toFixed(1)}x; warm re-lock ${
      geoWarm.toFixed(1)
    }x, python3 on PATH ${geoShim.toFixed(1)}x; from scratch ${geoScratch.toFixed(1)}x, ` +
      `--refresh ${geoRefresh.toFixed(1)}x`,
  );
  console.log(
    `targets: cold >= 5x: ${geoCold >= 5 ? "met" : "MISSED"}; warm re-lock >= 20x: ${
      geoWarm >= 20 && geoShim >= 20 ? "met" : "MISSED"
    } (from scratch: ${geoScratch >= 20 ? "met" : "missed"}; with --refresh: ${
      geoRefresh >= 20 ? "met" : "missed"
    })`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
