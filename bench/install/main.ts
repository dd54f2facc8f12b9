/**
 * The install benchmark, side by side with pip, on real wheels from the local mirror
 * (`/opt/pypi/files`) served by the loopback index:
 *
 * 1. cold install of N packages: `envknit install` into an empty store vs
 *    `pip install --no-deps --target DIR` of the same wheels from the same index (fresh cache,
 *    used as pip uses it with PyPI: the loopback host is trusted, as https hosts are), taking
 *    turns, once file creation is no longer slowed down by earlier deletions (`settle.ts`);
 * 2. warm install of 100 already-present packages, minus the process start (`envknit --version`);
 * 3. `envknit run -- python -c pass` minus bare `python -c pass`, with the cold set's environment
 *    and with the 100-package one.
 *
 *   deno run -A bench/install/main.ts [--packages N] [--runs R] [--max-mb M]
 *
 * Skips with a message when the mirror is absent (CI has none). Results are medians.
 *
 * @module
 */
import { type Lockfile, writeLock } from "../../project/lock.ts";
import { bestWheel } from "../../store/tags/compat.ts";
import { probeInterpreter } from "../../store/tags/interpreter.ts";
import { parseWheelFilename } from "../../store/wheel/filename.ts";
import { parseCoreMetadata } from "../../store/wheel/metadata.ts";
import { readWheelMetadata } from "../../store/index/core_metadata.ts";
import { openZip } from "../../store/zip/reader.ts";
import { type IndexFile, startIndex } from "../../tests/support/index_server.ts";
import { sha256Hex as sha256 } from "../../core/sha256.ts";
import { RUN_FLAGS } from "../../tests/support/cli.ts";
import { settleFileCreation, syncDisk } from "./settle.ts";
import { median, option, timeCommand } from "../support.ts";

const MIRROR_FILES = "/opt/pypi/files";
const root = new URL("../../", import.meta.url).pathname;
const MAIN = `${root}cli/main.ts`;

const COLD_PACKAGES = option("packages", 40);
const WARM_PACKAGES = 100;
const RUNS = option("runs", 3);
const MAX_BYTES = option("max-mb", 20) * 1024 * 1024;

/** Wall time of one command, in ms. */
async function time(cmd: string, args: string[], env: Record<string, string>, cwd = root) {
  return (await timeCommand(cmd, args, env, cwd)).ms;
}

/** Compares dotted release numbers loosely (enough to pick a recent version per project). */
function versionKey(v: string): number[] {
  return v.split(/[.+-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : -1));
}
function newer(a: string, b: string): boolean {
  const x = versionKey(a);
  const y = versionKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d > 0;
  }
  return false;
}

interface Picked {
  name: string;
  version: string;
  file: IndexFile & { sha256: string };
  /** The wheel's own Requires-Dist and Requires-Python, as a lock records them. */
  dependencies: string[];
  requiresPython: string | null;
}

async function main() {
  try {
    await Deno.stat(MIRROR_FILES);
  } catch {
    console.log(`bench/install: skipped, no mirror of real wheels at ${MIRROR_FILES}`);
    return;
  }
  const pyOut = await new Deno.Command("python3", {
    args: ["-c", "import sys; print(sys.executable)"],
    stdout: "piped",
  }).output();
  const python = new TextDecoder().decode(pyOut.stdout).trim();
  const interp = await probeInterpreter(python, { cacheDir: null });

  // One compatible wheel per project (the newest version), small enough to keep the bench short.
  const byProject = new Map<string, { version: string; files: string[] }>();
  for await (const e of Deno.readDir(MIRROR_FILES)) {
    if (!e.name.endsWith(".whl")) continue;
    let parsed;
    try {
      parsed = parseWheelFilename(e.name);
    } catch {
      continue;
    }
    const size = (await Deno.stat(`${MIRROR_FILES}/${e.name}`)).size;
    if (size > MAX_BYTES) continue;
    const known = byProject.get(parsed.normalizedName);
    if (!known || newer(parsed.version, known.version)) {
      byProject.set(parsed.normalizedName, { version: parsed.version, files: [e.name] });
    } else if (known.version === parsed.version) known.files.push(e.name);
  }
  const picked: Picked[] = [];
  for (const name of [...byProject.keys()].sort()) {
    const { version, files } = byProject.get(name)!;
    const best = bestWheel(files, interp);
    if (!best) continue;
    const bytes = await Deno.readFile(`${MIRROR_FILES}/${best.filename}`);
    // The lock records what the wheel declares, as `envknit lock` would: install checks it (#14.1).
    const meta = parseCoreMetadata(
      await readWheelMetadata(await openZip(bytes), name, best.filename),
      { source: best.filename },
    );
    picked.push({
      name,
      version,
      file: { filename: best.filename, bytes, sha256: await sha256(bytes) },
      dependencies: meta.requiresDist,
      requiresPython: meta.requiresPython,
    });
    if (picked.length >= WARM_PACKAGES) break;
  }
  // The cold set: spread over the alphabet so it is not all one family of packages.
  const step = Math.max(1, Math.floor(picked.length / COLD_PACKAGES));
  const cold = picked.filter((_, i) => i % step === 0).slice(0, COLD_PACKAGES);
  const mb = (xs: Picked[]) => xs.reduce((s, p) => s + p.file.bytes.length, 0) / 1024 / 1024;

  await using index = await startIndex({
    projects: Object.fromEntries(picked.map((p) => [p.name, [p.file]])),
    fileCacheControl: "max-age=365000000, immutable, public", // as PyPI's file host
  });
  const work = await Deno.makeTempDir({ prefix: "envknit-bench-install-" });
  try {
    const lockFor = async (set: Picked[], dir: string) => {
      await Deno.mkdir(dir, { recursive: true });
      const lock: Lockfile = {
        schemaVersion: "1.1",
        lockGeneratedAt: "2026-01-01T00:00:00Z",
        resolverVersion: "envknit/bench",
        configHash: "",
        target: {
          python: `${interp.pythonVersionInfo[0]}.${interp.pythonVersionInfo[1]}`,
          platform: interp.platforms[0],
        },
        environments: {
          default: set.map((p) => ({
            name: p.name,
            version: p.version,
            dependencies: p.dependencies,
            requiresPython: p.requiresPython,
            wheels: [{
              file: p.file.filename,
              url: index.fileUrl(p.name, p.file.filename),
              sha256: p.file.sha256,
              size: p.file.bytes.length,
            }],
          })),
        },
      };
      await writeLock(`${dir}/envknit.lock.yaml`, lock);
      return dir;
    };
    const baseEnv = Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([k]) =>
        !k.startsWith("ENVKNIT_") && !k.startsWith("PIP_")
      ),
    );
    const envknit = (home: string) => ({
      ...baseEnv,
      ENVKNIT_HOME: home,
      ENVKNIT_PYTHON: python,
      NO_COLOR: "1",
    });
    const deno = Deno.execPath();
    const cli = (...args: string[]) => ["run", "-A", ...RUN_FLAGS, "--no-lock", MAIN, ...args];

    console.log(
      `bench/install: ${cold.length} packages cold (${mb(cold).toFixed(1)} MiB of wheels), ` +
        `${picked.length} warm; ${interp.implementation} ${interp.pythonVersion}; median of ${RUNS} runs`,
    );
    console.log(`  ${await settleFileCreation(work)}`);

    // 1. Cold. The three installs take turns, each round in a different order, and nothing is
    // deleted before the end: see `settleFileCreation` for why deletions matter.
    const coldProject = await lockFor(cold, `${work}/cold`);
    const specs = cold.map((p) => `${p.name}==${p.version}`);
    const pipEnv = { ...baseEnv, PIP_CONFIG_FILE: "/dev/null" };
    // pip installs into a temp folder first, then moves the files to --target: that folder is
    // one of the work folder too, so pip's files are created where envknit's are.
    const pipTemp = async (label: string) => {
      const dir = `${work}/${label}`;
      await Deno.mkdir(dir);
      return { ...pipEnv, TMPDIR: dir };
    };
    const pip = async (compile: boolean, i: number) =>
      time(python, [
        "-m",
        "pip",
        "--isolated",
        "install",
        "--disable-pip-version-check",
        "--no-deps",
        "--cache-dir",
        `${work}/pip-cache-${compile}-${i}`,
        ...(compile ? [] : ["--no-compile"]),
        "--target",
        `${work}/pip-target-${compile}-${i}`,
        "--index-url",
        index.url,
        // As from PyPI over https: pip's HTTP cache (which keeps each download) is used only for
        // https and trusted hosts.
        "--trusted-host",
        new URL(index.url).host,
        ...specs,
      ], await pipTemp(`pip-tmp-${compile}-${i}`));
    const envknitCold: number[] = [];
    const pipTimes: number[] = [];
    const pipNoCompileTimes: number[] = [];
    // Each starts with the disk's write-back done (`sync`): otherwise a run pays for flushing
    // the hundred megabytes the run before it wrote, and which tool follows which decides it.
    const synced = async <T>(run: () => Promise<T>) => {
      await syncDisk();
      return await run();
    };
    for (let i = 0; i < RUNS; i++) {
      const turns = [
        async () =>
          envknitCold.push(
            await synced(() =>
              time(deno, cli("install"), envknit(`${work}/home-cold-${i}`), coldProject)
            ),
          ),
        async () => pipTimes.push(await synced(() => pip(true, i))),
        async () => pipNoCompileTimes.push(await synced(() => pip(false, i))),
      ];
      for (let t = 0; t < turns.length; t++) await turns[(i + t) % turns.length]();
    }
    const pipCold = median(pipTimes);
    const pipColdNoCompile = median(pipNoCompileTimes);

    // 2. Warm: 100 packages already there.
    const warmProject = await lockFor(picked, `${work}/warm`);
    const warmHome = `${work}/home-warm`;
    await time(deno, cli("install"), envknit(warmHome), warmProject);
    const starts: number[] = [];
    const warms: number[] = [];
    for (let i = 0; i < Math.max(10, RUNS); i++) {
      starts.push(await time(deno, cli("--version"), envknit(warmHome), warmProject));
      warms.push(await time(deno, cli("install"), envknit(warmHome), warmProject));
    }

    // 3. run overhead over bare python, in the cold set's environment (also installed in the
    // warm store) and in the 100-package one. The command runs the environment's view: its
    // python started directly (`envknit env python`) is the interpreter's part of the cost.
    await time(deno, cli("install"), envknit(warmHome), coldProject);
    const shown = await new Deno.Command(deno, {
      args: cli("env", "python"),
      env: envknit(warmHome),
      cwd: warmProject,
      clearEnv: true,
      stdout: "piped",
    }).output();
    const viewPython = new TextDecoder().decode(shown.stdout).trim();
    const bare: number[] = [];
    const bareLarge: number[] = [];
    const runsSmall: number[] = [];
    const runsLarge: number[] = [];
    for (let i = 0; i < Math.max(20, RUNS); i++) {
      bare.push(await time(python, ["-c", "pass"], baseEnv, warmProject));
      bareLarge.push(await time(viewPython, ["-c", "pass"], baseEnv, warmProject));
      const runPass = ["run", "--", "python", "-c", "pass"];
      runsSmall.push(await time(deno, cli(...runPass), envknit(warmHome), coldProject));
      runsLarge.push(await time(deno, cli(...runPass), envknit(warmHome), warmProject));
    }

    // Tenths below 100 ms, so a figure next to its target is not rounded onto it.
    const ms = (x: number) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;
    const check = (ok: boolean) => (ok ? "ok" : "MISSED");
    const row = (label: string, value: string, note = "") =>
      console.log(`${label.padEnd(44)}${value.padStart(9)}${note ? `   ${note}` : ""}`);
    const coldE = median(envknitCold);
    const start = median(starts);
    const warm = median(warms) - start;
    const py = median(bare);
    const overSmall = median(runsSmall) - py;
    const overLarge = median(runsLarge) - py;
    console.log("");
    row("cold install, envknit", ms(coldE));
    row("cold install, pip --no-deps --target", ms(pipCold));
    row("cold install, pip ... --no-compile", ms(pipColdNoCompile));
    row(
      "  ratio pip / envknit",
      `${(pipCold / coldE).toFixed(1)} x`,
      `target >= 3x: ${check(pipCold / coldE >= 3)} ` +
        `(pip --no-compile / envknit: ${(pipColdNoCompile / coldE).toFixed(1)} x)`,
    );
    row("process start (envknit --version)", ms(start));
    row(
      `warm install, ${picked.length} present, beyond start`,
      ms(warm),
      `target < 100 ms: ${check(warm < 100)}`,
    );
    row("python -c pass", ms(py));
    row(
      `envknit run -- python -c pass, ${cold.length} packages`,
      ms(median(runsSmall)),
      `adds ${ms(overSmall)}; target < 60 ms: ${check(overSmall < 60)}`,
    );
    row(
      `envknit run -- python -c pass, ${picked.length} packages`,
      ms(median(runsLarge)),
      `adds ${ms(overLarge)}; target < 60 ms: ${check(overLarge < 60)}`,
    );
    const search = median(bareLarge) - py;
    row(
      `  of which the view's python (${picked.length} packages)`,
      ms(search),
      `(<view>/bin/python -c pass, no envknit); envknit itself: ${ms(overLarge - search)}`,
    );
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
