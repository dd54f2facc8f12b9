// `targets:` in envknit.yaml (issue #17.2, #17.7): `envknit lock` resolves every environment for
// every target and writes one lock, checked target by target by `packaging`
// (tests/support/target_oracle.py) on real wheels served from a loopback index.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { type OracleCase, oracleProblems } from "../support/target_oracle.ts";
import { buildWheel, type WheelSpec } from "../support/wheel_factory.ts";
import { interpreterFromTarget } from "../../store/tags/target.ts";
import type { Lockfile } from "../../project/lock.ts";
import { configText, errorLines, lockProjectDir } from "./lock_support.ts";

const TARGETS = [
  { python: "3.11", platform: "manylinux_2_36_x86_64" },
  { python: "3.13", platform: "manylinux_2_36_x86_64" },
  { python: "3.12", platform: "win_amd64" },
  { python: "3.12", platform: "macosx_14_0_arm64" },
];

function targetsYaml(targets: { python: string; platform: string }[]): string {
  return "targets:\n" +
    targets.map((t) => `  - {python: "${t.python}", platform: ${t.platform}}\n`).join("");
}

/** The projects of the scenario: per-Python and per-platform builds, markers, caps. */
const SPECS: WheelSpec[] = [
  // Per-Python builds: 1.0 was built for CPython 3.11 and 3.12, 2.0 for 3.13 only (on Linux).
  { name: "native", version: "1.0", tags: ["cp311-cp311-manylinux_2_17_x86_64"] },
  { name: "native", version: "1.0", tags: ["cp312-cp312-win_amd64"] },
  { name: "native", version: "1.0", tags: ["cp312-cp312-macosx_11_0_arm64"] },
  { name: "native", version: "2.0", tags: ["cp313-cp313-manylinux_2_17_x86_64"] },
  // Platform-only wheels: 3.0 has none for macOS, 2.0 only for macOS.
  { name: "fastmath", version: "2.0", tags: ["cp311-abi3-macosx_11_0_arm64"] },
  { name: "fastmath", version: "3.0", tags: ["cp311-abi3-manylinux_2_28_x86_64"] },
  { name: "fastmath", version: "3.0", tags: ["cp311-abi3-win_amd64"] },
  // A Windows-only dependency.
  {
    name: "cli",
    version: "1.0",
    requiresDist: ['colorama>=0.4; sys_platform == "win32"', "shared"],
  },
  { name: "colorama", version: "0.4.6" },
  // Requires-Python caps: 1.0 is for Python < 3.12 only, 2.0 for 3.12 and later.
  { name: "capped", version: "1.0", requiresPython: ">=3.8,<3.12" },
  { name: "capped", version: "2.0", requiresPython: ">=3.12" },
  // Pure and shared: one version for every target.
  { name: "shared", version: "1.0" },
  { name: "shared", version: "2.0" },
];

async function scenario() {
  const files = await Promise.all(SPECS.map((s) => buildWheel(s)));
  const projects: Record<string, typeof files> = {};
  SPECS.forEach((s, i) => (projects[s.name] ??= []).push(files[i]));
  const index: OracleCase["index"] = {};
  SPECS.forEach((s, i) => {
    const release = (index[s.name] ??= {})[s.version] ??= {
      requires_dist: s.requiresDist ?? [],
      requires_python: s.requiresPython ?? null,
      wheels: [],
    };
    release.wheels!.push(files[i].filename);
  });
  return { projects, index };
}

/** The lock checked target by target by `packaging`. */
async function oracle(
  lock: Lockfile,
  env: string,
  requirements: string[],
  index: OracleCase["index"],
  targets = TARGETS,
): Promise<string[]> {
  return await oracleProblems({
    requirements,
    index,
    targets: targets.map((t) => {
      const interp = interpreterFromTarget({ pythonVersion: t.python, platform: t.platform });
      return { env: interp.markers, python: t.python, platforms: interp.platforms };
    }),
    entries: lock.environments[env].map((e) => ({
      name: e.name,
      version: e.version,
      marker: e.marker ?? null,
      dependencies: e.dependencies,
      extras: e.extras ?? [],
      wheels: e.wheels.map((w) => w.file),
    })),
  });
}

Deno.test("targets: one lock for four machines, shared versions where one serves all, checked by packaging", async () => {
  const { projects, index } = await scenario();
  await using server = await startIndex({ projects });
  await using p = await lockProjectDir();
  const requirements = ["native", "fastmath", "cli", "capped", "shared"];
  await p.config(
    configText(server.url, { default: { packages: requirements } }) + targetsYaml(TARGETS),
  );
  // No Python is needed (nor run) to lock for described targets: ENVKNIT_PYTHON plays no part.
  const r = await p.run(["lock"], { PATH: "/nonexistent", ENVKNIT_PYTHON: "/nonexistent/python" });
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "for 4 targets (Python 3.11 on manylinux_2_36_x86_64");
  const lock = await p.lock();
  assertEquals(lock.schemaVersion, "1.2");
  assertEquals(
    lock.targets!.map((t) => [t.python, t.platform]),
    TARGETS.map((t) => [t.python, t.platform]),
  );
  for (const t of lock.targets!) assert(t.marker.length > 0);
  assert(!(await p.lockText())!.includes("\ntarget:"));

  const entries = lock.environments.default.map((e) => [e.name, e.version, e.marker ?? null]);
  assertEquals(entries, [
    ["capped", "1.0", 'python_version == "3.11"'],
    ["capped", "2.0", 'python_version == "3.13" or python_version == "3.12"'],
    ["cli", "1.0", null],
    ["colorama", "0.4.6", 'sys_platform == "win32"'],
    ["fastmath", "2.0", 'sys_platform == "darwin"'],
    ["fastmath", "3.0", 'sys_platform == "linux" or sys_platform == "win32"'],
    ["native", "1.0", 'python_version == "3.11" or python_version == "3.12"'],
    ["native", "2.0", 'python_version == "3.13"'],
    ["shared", "2.0", null],
  ]);
  const cli = lock.environments.default.find((e) => e.name === "cli")!;
  assertEquals(cli.dependencies, ['colorama>=0.4 ; sys_platform == "win32"', "shared"]);
  // Each entry lists every wheel of its version: one for each target it applies to.
  const native1 = lock.environments.default.find((e) =>
    e.name === "native" && e.version === "1.0"
  )!;
  assertEquals(native1.wheels.length, 3);
  assertEquals(await oracle(lock, "default", requirements, index), []);

  // Locking again changes nothing.
  const before = await p.lockText();
  const again = await p.run(["lock"]);
  assertEquals(again.code, 0, again.stderr);
  assertStringIncludes(again.stderr, "unchanged");
  assertEquals(await p.lockText(), before);
});

Deno.test("targets: --python-version/--platform still make a one-target lock", async () => {
  const { projects } = await scenario();
  await using server = await startIndex({ projects });
  await using p = await lockProjectDir();
  await p.config(
    configText(server.url, { default: { packages: ["native", "cli"] } }) + targetsYaml(TARGETS),
  );
  const r = await p.run(["lock", "--python-version", "3.12", "--platform", "win_amd64"]);
  assertEquals(r.code, 0, r.stderr);
  const lock = await p.lock();
  assertEquals(lock.targets, undefined);
  assertEquals(lock.target, { python: "3.12", platform: "win_amd64" });
  assertEquals(lock.schemaVersion, "1.1");
  assertEquals(lock.environments.default.map((e) => [e.name, e.version, e.marker]), [
    ["cli", "1.0", undefined],
    ["colorama", "0.4.6", undefined],
    ["native", "1.0", undefined],
    ["shared", "2.0", undefined],
  ]);
});

Deno.test("targets: a package with no wheel for one target is an error naming both; nothing written", async () => {
  const winOnly = await buildWheel({
    name: "winonly",
    version: "1.0",
    tags: ["cp312-cp312-win_amd64"],
  });
  const winOnly2 = await buildWheel({
    name: "winonly",
    version: "2.0",
    tags: ["py3-none-win_amd64"],
  });
  await using server = await startIndex({ projects: { winonly: [winOnly, winOnly2] } });
  await using p = await lockProjectDir();
  await p.config(
    configText(server.url, { default: { packages: ["winonly"] } }) +
      targetsYaml([TARGETS[2], TARGETS[0]]),
  );
  const r = await p.run(["lock"]);
  assertEquals(r.code, 1, r.stderr);
  const [line] = errorLines(r.stderr);
  assertStringIncludes(line, "winonly");
  assertStringIncludes(line, "Python 3.11 on manylinux_2_36_x86_64");
  assertEquals(await p.lockText(), null);
});

Deno.test("targets: a malformed target is an error at its line and column, with the accepted forms", async () => {
  await using p = await lockProjectDir();
  const base = configText("http://127.0.0.1:9/simple", { default: { packages: ["x"] } });
  for (
    const [targets, where, what] of [
      [
        '  - {python: "3.12", platform: win_amd64}\n  - {python: "3.12", platform: solaris_sparc}\n',
        ":9:32:",
        "solaris_sparc",
      ],
      ['  - {python: "3.12.1", platform: win_amd64}\n', ":8:14:", "3.12.1"],
      ["  - {python: 3, platform: win_amd64}\n", ":8:14:", '"3"'],
      ["  - {python: '3.12'}\n", ":8:5:", "platform"],
      ["  - {python: '3.12', platfrom: win_amd64}\n", ":8:22:", "did you mean 'platform'"],
    ] as const
  ) {
    await p.config(base + "targets:\n" + targets);
    const r = await p.run(["lock"]);
    assertEquals(r.code, 1, r.stderr);
    const [line] = errorLines(r.stderr);
    assertStringIncludes(line, `envknit.yaml${where}`);
    assertStringIncludes(line, what);
    assertStringIncludes(r.stderr, "hint:");
    assertEquals(await p.lockText(), null);
  }
  // `python: 3.10` unquoted is what it looks like, not the number 3.1.
  const ten = await import("../../project/config.ts").then((c) =>
    c.parseConfig(base + "targets:\n  - {python: 3.10, platform: win_amd64}\n", "/x/envknit.yaml")
  );
  assertEquals(ten.targets?.[0].python, "3.10");
});

Deno.test("targets: an environment's python_version keeps it to those targets; dev packages; --env", async () => {
  const { projects, index } = await scenario();
  await using server = await startIndex({ projects });
  await using p = await lockProjectDir();
  const config = configText(server.url, {
    default: { packages: ["native"], dev: ["cli"] },
    legacy: { packages: ["capped", "shared==1.0"], python: "3.12" },
  }) + targetsYaml(TARGETS);
  await p.config(config);
  let r = await p.run(["lock"]);
  assertEquals(r.code, 0, r.stderr);
  let lock = await p.lock();
  // legacy is for the two 3.12 targets only: its entries say so.
  assertEquals(
    lock.environments.legacy.map((e) => [e.name, e.version, e.marker]),
    [
      ["capped", "2.0", 'python_version == "3.12"'],
      ["shared", "1.0", 'python_version == "3.12"'],
    ],
  );
  const only312 = TARGETS.filter((t) => t.python === "3.12");
  assertEquals(await oracle(lock, "legacy", ["capped", "shared==1.0"], index, only312), []);
  // dev: only what dev_packages alone need, on every target it applies to.
  const dev = lock.environments.default.filter((e) => e.dev).map((e) => e.name);
  assertEquals(dev, ["cli", "colorama", "shared"]);
  assertEquals(await oracle(lock, "default", ["native", "cli"], index), []);

  // --env relocks one environment for every target and keeps the other as it was.
  const legacyBefore = JSON.stringify(lock.environments.legacy);
  await p.config(config.replace('packages: ["native"]', 'packages: ["native", "fastmath"]'));
  r = await p.run(["lock", "--env", "default"]);
  assertEquals(r.code, 0, r.stderr);
  lock = await p.lock();
  assertEquals(JSON.stringify(lock.environments.legacy), legacyBefore);
  assertEquals(lock.environments.default.filter((e) => e.name === "fastmath").length, 2);
  assertEquals(await oracle(lock, "default", ["native", "fastmath", "cli"], index), []);

  // A python_version that no target has is an error naming the environment.
  await p.config(config.replace('python_version: "3.12"', 'python_version: "3.9"'));
  r = await p.run(["lock"]);
  assertEquals(r.code, 1);
  assertStringIncludes(errorLines(r.stderr)[0], "environment 'legacy' has python_version 3.9");
});

Deno.test("targets: two targets no marker tells apart are an error naming both", async () => {
  await using p = await lockProjectDir();
  await p.config(
    configText("http://127.0.0.1:9/simple", { default: { packages: ["x"] } }) +
      targetsYaml([
        { python: "3.12", platform: "manylinux_2_28_x86_64" },
        { python: "3.12", platform: "manylinux_2_17_x86_64" },
      ]),
  );
  const r = await p.run(["lock"]);
  assertEquals(r.code, 1, r.stderr);
  const [line] = errorLines(r.stderr);
  assertStringIncludes(line, "envknit.yaml:9:5");
  assertStringIncludes(line, "cannot be told apart");
});

Deno.test("targets: locking again keeps each target's versions; --update moves them", async () => {
  const { projects } = await scenario();
  await using server = await startIndex({ projects });
  await using p = await lockProjectDir();
  const config = (shared: string) =>
    configText(server.url, { default: { packages: ["native", shared] } }) + targetsYaml(TARGETS);
  await p.config(config("shared<2"));
  let r = await p.run(["lock"]);
  assertEquals(r.code, 0, r.stderr);
  const shared = async () =>
    (await p.lock()).environments.default.filter((e) => e.name === "shared").map((
      e,
    ) => [e.version, e.marker ?? null]);
  assertEquals(await shared(), [["1.0", null]]);
  await p.config(config("shared"));
  r = await p.run(["lock"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(await shared(), [["1.0", null]]);
  const native = (await p.lock()).environments.default.filter((e) => e.name === "native");
  assertEquals(native.length, 2);
  r = await p.run(["lock", "--update", "shared"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(await shared(), [["2.0", null]]);
  assertEquals((await p.lock()).environments.default.filter((e) => e.name === "native"), native);
});
