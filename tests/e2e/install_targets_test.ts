// A multi-target lock (schema 1.2) used on the machine at hand (#17.3, #17.7): install, run,
// verify and status take the entries whose marker holds for this interpreter, with the wheel
// that fits it; `fetch --dest` takes every target's wheels (or `--target N`'s), so one wheelhouse
// serves an air-gapped machine of any listed target: here, after the index is stopped,
// `install --offline --find-links` from it for CPython 3.11 (and 3.13 when it is set up).
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel, type BuiltWheel } from "../support/wheel_factory.ts";
import { type Lockfile, type LockPackage, parseLock, writeLock } from "../../project/lock.ts";
import { envknit, makeProject, snapshot, type TestProject } from "./install_support.ts";

const linux311 = "cp311-cp311-manylinux_2_17_x86_64";
const native = (tag: string) =>
  buildWheel({
    name: "native",
    version: "2.0",
    tags: [tag],
    files: { "native/__init__.py": `BUILD = ${JSON.stringify(tag.split("-")[0])}\n` },
  });
const wheels = {
  // Depends on a Windows-only package, behind its marker.
  pure: await buildWheel({
    name: "pure",
    version: "1.0",
    requiresDist: ['winonly ; sys_platform == "win32"'],
  }),
  native311: await native(linux311),
  native313: await native("cp313-cp313-manylinux_2_17_x86_64"),
  nativeWin: await native("cp312-cp312-win_amd64"),
  // A version capped below 3.12 for 3.11, a newer one elsewhere.
  old: await buildWheel({
    name: "capped",
    version: "1.0",
    requiresPython: "<3.12",
    files: { "capped/__init__.py": "VERSION = '1.0'\n" },
  }),
  new: await buildWheel({
    name: "capped",
    version: "2.0",
    requiresPython: ">=3.12",
    files: { "capped/__init__.py": "VERSION = '2.0'\n" },
  }),
  winonly: await buildWheel({ name: "winonly", version: "0.4" }),
};

const PY311 = 'python_version == "3.11"';
const PY312 = 'python_version == "3.12"';
const PY313 = 'python_version == "3.13"';
const TARGETS = [
  { python: "3.11", platform: "manylinux_2_36_x86_64", marker: PY311 },
  { python: "3.13", platform: "manylinux_2_36_x86_64", marker: PY313 },
  { python: "3.12", platform: "win_amd64", marker: PY312 },
];

const PYTHON313 = new URL("../../.envknit-dev/python3.13/bin/python3.13", import.meta.url).pathname;
const has313 = await Deno.stat(PYTHON313).then(() => true, () => false);

function entry(
  built: BuiltWheel[],
  url: (w: BuiltWheel) => string,
  extra: Partial<LockPackage> = {},
): LockPackage {
  return {
    name: built[0].name,
    version: built[0].version,
    dependencies: [],
    wheels: built.map((w) => ({ file: w.filename, url: url(w), sha256: w.sha256, size: w.size })),
    ...extra,
  };
}

/** The lock `envknit lock` writes for these targets (project/LOCK_FORMAT.md, Targets). */
async function writeTargetsLock(
  path: string,
  url: (w: BuiltWheel) => string,
  targets = TARGETS,
): Promise<Lockfile> {
  const w = wheels;
  const lock: Lockfile = {
    schemaVersion: "1.2",
    lockGeneratedAt: "2026-12-06T00:00:00Z",
    resolverVersion: "envknit/test",
    configHash: "",
    target: { python: "", platform: "" },
    targets,
    environments: {
      default: [
        entry([w.pure], url, { dependencies: ['winonly ; sys_platform == "win32"'] }),
        entry([w.native311, w.native313, w.nativeWin], url),
        entry([w.old], url, { marker: PY311, requiresPython: "<3.12" }),
        entry([w.new], url, { marker: `${PY312} or ${PY313}`, requiresPython: ">=3.12" }),
        entry([w.winonly], url, { marker: 'sys_platform == "win32"' }),
      ],
    },
  };
  await writeLock(path, lock);
  return lock;
}

const files = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();

const IMPORTS = "import native, capped, importlib.util as u; " +
  "print(native.BUILD, capped.VERSION, u.find_spec('winonly') is not None)";

/**
 * `install --offline --find-links wh` on this machine (CPython 3.11) installs its target's three
 * entries, and `run` imports the cp311 build and the version the Requires-Python cap left it.
 */
async function assertOfflineInstallRuns(p: TestProject, wh: string): Promise<void> {
  const offline = await envknit(["install", "--offline", "--find-links", wh], {
    cwd: p.project,
    env: p.env,
  });
  assertEquals(offline.code, 0, offline.stderr);
  assertStringIncludes(offline.stderr, "installed 3 packages");
  const run = await envknit(["run", "--", "python", "-c", IMPORTS], { cwd: p.project, env: p.env });
  assertEquals(run.stdout, "cp311 1.0 False\n", run.stderr);
}

Deno.test("multi-target lock: fetch every target's wheels, stop the index, install --offline here", async () => {
  await using p = await makeProject();
  const wh = `${p.dir}/wh`;
  const one = `${p.dir}/wh-313`;
  // The connected machine has its own store: nothing it caches can help the offline install.
  const connected = { ...p.env, ENVKNIT_HOME: `${p.dir}/connected-home` };
  {
    await using index = await startIndex({
      projects: {
        pure: [wheels.pure],
        native: [wheels.native311, wheels.native313, wheels.nativeWin],
        capped: [wheels.old, wheels.new],
        winonly: [wheels.winonly],
      },
    });
    await writeTargetsLock(p.lockPath, (w) => index.fileUrl(w.name, w.filename));
    const f = await envknit(["fetch", "--dest", wh], { cwd: p.project, env: connected });
    assertEquals(f.code, 0, f.stderr);
    const w = wheels;
    // Every target's entries, each with the wheel that fits that target (none for the others).
    assertEquals(
      await files(wh),
      [w.pure, w.native311, w.native313, w.nativeWin, w.old, w.new, w.winonly]
        .map((x) => x.filename).sort(),
    );
    const t = await envknit(["fetch", "--dest", one, "--target", "2"], {
      cwd: p.project,
      env: connected,
    });
    assertEquals(t.code, 0, t.stderr);
    assertEquals(await files(one), [w.pure, w.native313, w.new].map((x) => x.filename).sort());
    const win = await envknit(["fetch", "--dest", `${p.dir}/wh-win`, "--target", "3"], {
      cwd: p.project,
      env: connected,
    });
    assertEquals(win.code, 0, win.stderr);
    assertEquals(
      await files(`${p.dir}/wh-win`),
      [w.pure, w.nativeWin, w.new, w.winonly].map((x) => x.filename).sort(),
    );
    for (const bad of ["4", "0"]) {
      const r = await envknit(["fetch", "--dest", `${p.dir}/nope`, "--target", bad], {
        cwd: p.project,
        env: connected,
      });
      assertEquals(r.code, bad === "0" ? 2 : 1, r.stderr);
      assertEquals(r.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
      if (bad === "4") {
        assertStringIncludes(
          r.stderr,
          "error: the lock has no target 4: its targets are 1 (Python 3.11 on " +
            "manylinux_2_36_x86_64), 2 (Python 3.13 on manylinux_2_36_x86_64), 3 (Python 3.12 on " +
            "win_amd64)",
        );
      }
    }
  } // the index is stopped here

  // This machine's CPython 3.11: its target's entries and wheels, from the wheelhouse alone.
  await assertOfflineInstallRuns(p, wh);
  // The runtime's own lock reader picks the same entries for the running interpreter.
  const configured = await envknit([
    "run",
    "--",
    "python",
    "-c",
    "import envknit; envknit.configure_from_lock(); import capped; print(capped.VERSION)",
  ], { cwd: p.project, env: p.env });
  assertEquals(configured.stdout, "1.0\n", configured.stderr);
  const verify = await envknit(["verify"], { cwd: p.project, env: p.env });
  assertEquals(verify.code, 0, verify.stdout + verify.stderr);
  const status = await envknit(["--json", "status"], { cwd: p.project, env: p.env });
  assertEquals(JSON.parse(status.stdout).environments.default, {
    installed: ["capped 1.0", "native 2.0", "pure 1.0"],
    missing: [],
  });

  if (has313) {
    // The same lock and wheelhouse for this machine's CPython 3.13, another listed target.
    const env313 = { ...p.env, ENVKNIT_PYTHON: PYTHON313 };
    const r = await envknit(["install", "--offline", "--find-links", one], {
      cwd: p.project,
      env: env313,
    });
    assertEquals(r.code, 0, r.stderr);
    const run313 = await envknit(["run", "--", "python", "-c", IMPORTS], {
      cwd: p.project,
      env: env313,
    });
    assertEquals(run313.stdout, "cp313 2.0 False\n", run313.stderr);
  } else {
    console.warn(`no ${PYTHON313} (runtime_py/scripts/get_python313.sh): 3.13 part not run`);
  }
});

Deno.test("multi-target lock: a machine that is no target, or an entry without a wheel for it, is one error", async () => {
  await using p = await makeProject();
  const url = (w: BuiltWheel) => `https://example.invalid/${w.filename}`;
  await writeTargetsLock(p.lockPath, url, TARGETS.slice(1));
  let before: string[] | null = null; // after the first probe (cached) of this interpreter
  for (const command of [["install"], ["verify"], ["run", "--", "python", "-c", "pass"]]) {
    const r = await envknit(command, { cwd: p.project, env: p.env });
    assertEquals(r.code, 1, `${command[0]}: ${r.stderr}`);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    assertEquals(errors.length, 1, r.stderr);
    assertStringIncludes(
      errors[0],
      "error: this machine (CPython 3.11 on manylinux_2_",
    );
    assertStringIncludes(
      errors[0],
      "is none of the lock's targets: Python 3.13 on manylinux_2_36_x86_64; Python 3.12 on win_amd64",
    );
    if (before) assertEquals(await snapshot(p.home), before, "nothing changed in the store");
    before ??= await snapshot(p.home);
  }

  // 3.11 is a target, but its entry of native has only the Windows build.
  const lock = await writeTargetsLock(p.lockPath, url);
  const nativeEntry = lock.environments.default.find((e) => e.name === "native")!;
  nativeEntry.wheels = nativeEntry.wheels.filter((w) => w.file.includes("win_amd64"));
  await writeLock(p.lockPath, lock);
  const r = await envknit(["install"], { cwd: p.project, env: p.env });
  assertEquals(r.code, 1, r.stderr);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
  assertEquals(errors.length, 1, r.stderr);
  assert(
    /^error: no wheel in the lock suits CPython 3\.11 on manylinux_2_\d+_x86_64: native 2\.0 /.test(
      errors[0],
    ),
    errors[0],
  );
  assertEquals(await snapshot(p.home), before);
});

Deno.test("envknit lock for three targets, fetch, stop the index, install --offline here: the right wheels", async () => {
  await using p = await makeProject();
  const wh = `${p.dir}/wh`;
  const connected = { ...p.env, ENVKNIT_HOME: `${p.dir}/connected-home` };
  {
    await using index = await startIndex({
      projects: {
        pure: [wheels.pure],
        native: [wheels.native311, wheels.native313, wheels.nativeWin],
        capped: [wheels.old, wheels.new],
        winonly: [wheels.winonly],
      },
    });
    await Deno.writeTextFile(
      `${p.project}/envknit.yaml`,
      [
        'envknit_version: "0.1.0"',
        "index:",
        `  url: ${JSON.stringify(index.url)}`,
        "targets:",
        ...TARGETS.map((t) => `  - {python: "${t.python}", platform: ${t.platform}}`),
        "environments:",
        "  default:",
        '    packages: ["pure", "native", "capped"]',
        "",
      ].join("\n"),
    );
    const locked = await envknit(["lock"], { cwd: p.project, env: connected });
    assertEquals(locked.code, 0, locked.stderr);
    const lock = await parseLock(await Deno.readTextFile(p.lockPath), p.lockPath);
    assertEquals(
      lock.targets?.map((t) => [t.python, t.platform]),
      TARGETS.map((t) => [t.python, t.platform]),
    );
    const byName = (name: string) =>
      lock.environments.default.filter((e) => e.name === name).map((
        e,
      ) => [e.version, e.marker ?? null]);
    assertEquals(byName("native"), [["2.0", null]]);
    assertEquals(byName("capped").map(([v]) => v), ["1.0", "2.0"]);
    assertEquals(byName("winonly").length, 1);
    assert(byName("winonly")[0][1] !== null, "winonly applies to the Windows target only");
    const f = await envknit(["fetch", "--dest", wh], { cwd: p.project, env: connected });
    assertEquals(f.code, 0, f.stderr);
    const w = wheels;
    assertEquals(
      await files(wh),
      [w.pure, w.native311, w.native313, w.nativeWin, w.old, w.new, w.winonly]
        .map((x) => x.filename).sort(),
    );
  } // the index is stopped here

  await assertOfflineInstallRuns(p, wh);
  assertEquals((await envknit(["verify"], { cwd: p.project, env: p.env })).code, 0);
});
