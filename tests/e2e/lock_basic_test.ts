// `envknit lock` and `envknit check` end to end: the lock's contents (DESIGN.md schema), byte-
// identical relocking, --dry-run, --env, --update, dev packages, markers and extras, check.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildSdist, buildWheel } from "../support/wheel_factory.ts";
import { configText, errorLines, lockProjectDir, PYTHON_VERSION } from "./lock_support.ts";

async function universe() {
  const app1 = await buildWheel({
    name: "App",
    version: "1.0",
    requiresPython: ">=3.8",
    requiresDist: [
      "lib>=1",
      "winonly; sys_platform == 'win32'",
      "extra-dep; extra == 'fast'",
    ],
    providesExtra: ["fast"],
  });
  const lib1 = await buildWheel({ name: "lib", version: "1.0" });
  const lib2 = await buildWheel({ name: "lib", version: "2.0" });
  const lib2mac = await buildWheel({
    name: "lib",
    version: "2.0",
    tags: ["cp312-cp312-macosx_11_0_arm64"],
  });
  const lib2sdist = await buildSdist({ name: "lib", version: "2.0" });
  const extraDep = await buildWheel({ name: "extra-dep", version: "0.5" });
  const winonly = await buildWheel({ name: "winonly", version: "1.0" });
  const tool = await buildWheel({ name: "tool", version: "3.0", requiresDist: ["lib"] });
  const pytest = await buildWheel({ name: "pytest", version: "8.0", requiresDist: ["pluggy"] });
  const pluggy = await buildWheel({ name: "pluggy", version: "1.5" });
  return {
    wheels: { app1, lib1, lib2, lib2mac, extraDep, pytest, pluggy },
    projects: {
      app: [app1],
      lib: [lib1, lib2, lib2mac, lib2sdist],
      "extra-dep": [extraDep],
      winonly: [winonly],
      tool: [tool],
      pytest: [pytest],
      pluggy: [pluggy],
    },
  };
}

Deno.test("lock: the schema of DESIGN.md, every wheel of a version, deterministic", async () => {
  const u = await universe();
  await using index = await startIndex({ projects: u.projects });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, {
    default: { packages: ["app[fast]"], dev: ["pytest"] },
    tools: { packages: ["tool"] },
  }));
  const first = await p.run(["lock"]);
  assertEquals(first.code, 0, first.stderr);
  assertMatch(first.stderr, /locked 7 packages in 2 environments for Python \d+\.\d+ on \S+/);
  const lock = await p.lock();
  assertEquals(lock.schemaVersion, "1.1");
  assertEquals(lock.resolverVersion, "envknit/0.1.0");
  assertMatch(lock.lockGeneratedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assertMatch(lock.configHash, /^[0-9a-f]{64}$/);
  assertEquals(lock.target.python, PYTHON_VERSION);
  assertMatch(lock.target.platform, /^(manylinux|musllinux|macosx|win)/);

  const env = lock.environments.default;
  assertEquals(env.map((x) => [x.name, x.version, x.dev ?? false]), [
    ["app", "1.0", false],
    ["extra-dep", "0.5", false],
    ["lib", "2.0", false],
    ["pluggy", "1.5", true],
    ["pytest", "8.0", true],
  ]);
  const app = env[0];
  // Requires-Dist that apply: markers evaluated for the target, the requested extra included.
  assertEquals(app.dependencies, ["lib>=1", "extra-dep"]);
  assertEquals(app.extras, ["fast"]);
  assertEquals(app.requiresPython, ">=3.8");
  assertEquals(app.index, index.url);
  assertEquals(app.wheels, [{
    file: u.wheels.app1.filename,
    url: index.fileUrl("app", u.wheels.app1.filename),
    sha256: u.wheels.app1.sha256,
    size: u.wheels.app1.size,
  }]);
  // Every wheel of the version, for every platform (`fetch --all-platforms` relies on it); never
  // the sdist.
  const lib = env[2];
  assertEquals(
    lib.wheels.map((w) => [w.file, w.sha256]),
    [
      [u.wheels.lib2mac.filename, u.wheels.lib2mac.sha256],
      [u.wheels.lib2.filename, u.wheels.lib2.sha256],
    ].sort(),
  );
  assertEquals(lock.environments.tools.map((x) => x.name), ["lib", "tool"]);

  // Locking again changes no byte, and `check` agrees.
  const before = await p.lockText();
  const again = await p.run(["lock"]);
  assertEquals(again.code, 0, again.stderr);
  assertStringIncludes(again.stderr, "unchanged");
  assertEquals(await p.lockText(), before);
  assertEquals((await p.run(["check"])).code, 0);

  // A changed envknit.yaml makes `check` fail until the project is locked again.
  await p.config(configText(index.url, {
    default: { packages: ["app[fast]", "lib<2"], dev: ["pytest"] },
    tools: { packages: ["tool"] },
  }));
  const stale = await p.run(["check"]);
  assertEquals(stale.code, 1);
  assertEquals(errorLines(stale.stderr).length, 1);
  assertStringIncludes(stale.stderr, "changed since envknit.lock.yaml was written");
  assertEquals((await p.run(["lock"])).code, 0);
  assertEquals((await p.run(["check"])).code, 0);
  assertEquals((await p.lock()).environments.default.find((x) => x.name === "lib")?.version, "1.0");
});

Deno.test("lock: --dry-run writes nothing; --env locks one environment and keeps the others", async () => {
  const u = await universe();
  await using index = await startIndex({ projects: u.projects });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, {
    a: { packages: ["lib<2"] },
    b: { packages: ["tool"] },
  }));
  const dry = await p.run(["lock", "--dry-run"]);
  assertEquals(dry.code, 0, dry.stderr);
  assertStringIncludes(dry.stdout, 'schema_version: "1.1"');
  assertStringIncludes(dry.stdout, 'name: "tool"');
  assertEquals(await p.lockText(), null);

  assertEquals((await p.run(["lock", "--env", "b"])).code, 0);
  assertEquals(Object.keys((await p.lock()).environments), ["b"]);
  assertEquals((await p.run(["lock", "--env", "a"])).code, 0);
  const lock = await p.lock();
  assertEquals(Object.keys(lock.environments).sort(), ["a", "b"]);
  assertEquals(lock.environments.a.map((x) => `${x.name}==${x.version}`), ["lib==1.0"]);

  assertEquals((await p.run(["check"])).code, 0);

  // envknit.yaml changes in environment a only, and a is locked again (as `envknit add` does):
  // b still fits its requirements, so the lock is up to date.
  await p.config(configText(index.url, {
    a: { packages: ["lib<2", "tool"] },
    b: { packages: ["tool"] },
  }));
  const own = await p.run(["lock", "--env", "a"]);
  assertEquals(own.code, 0, own.stderr);
  assertEquals(own.stderr.includes("warning"), false);
  assertEquals((await p.run(["check"])).code, 0);

  // b's requirements change too, but only a is locked: b's old entries no longer fit, so the
  // lock stays stale for `check`, with a warning, until the whole project is locked.
  await p.config(configText(index.url, {
    a: { packages: ["lib<2"] },
    b: { packages: ["tool", "lib<2"] },
  }));
  const partial = await p.run(["lock", "--env", "a"]);
  assertEquals(partial.code, 0, partial.stderr);
  assertStringIncludes(partial.stderr, "warning: envknit.yaml changed since b was locked");
  assertEquals((await p.run(["check"])).code, 1);
  assertEquals((await p.run(["lock"])).code, 0);
  assertEquals((await p.run(["check"])).code, 0);

  const unknown = await p.run(["lock", "--env", "nope"]);
  assertEquals(unknown.code, 2);
  assertStringIncludes(unknown.stderr, "no environment 'nope'");
});

Deno.test("lock: versions of the old lock are kept; --update moves one package", async () => {
  const lib1 = await buildWheel({ name: "lib", version: "1.0" });
  const other1 = await buildWheel({ name: "other", version: "1.0" });
  await using index = await startIndex({ projects: { lib: [lib1], other: [other1] } });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["lib", "other"] } }));
  assertEquals((await p.run(["lock"])).code, 0);

  index.addFile("lib", await buildWheel({ name: "lib", version: "2.0" }));
  index.addFile("other", await buildWheel({ name: "other", version: "2.0" }));
  const versions = async () =>
    (await p.lock()).environments.default.map((x) => `${x.name}==${x.version}`);
  assertEquals((await p.run(["lock"])).code, 0);
  assertEquals(await versions(), ["lib==1.0", "other==1.0"]);

  const updated = await p.run(["lock", "--update", "lib"]);
  assertEquals(updated.code, 0, updated.stderr);
  assertEquals(await versions(), ["lib==2.0", "other==1.0"]);

  assertEquals((await p.run(["lock", "--upgrade"])).code, 0);
  assertEquals(await versions(), ["lib==2.0", "other==2.0"]);
});

Deno.test("a yanked version is locked only when pinned, with a warning", async () => {
  const good = await buildWheel({ name: "lib", version: "1.0" });
  const bad = { ...await buildWheel({ name: "lib", version: "1.1" }), yanked: "data loss" };
  await using index = await startIndex({ projects: { lib: [good, bad] } });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["lib"] } }));
  const free = await p.run(["lock"]);
  assertEquals(free.code, 0, free.stderr);
  assertEquals((await p.lock()).environments.default[0].version, "1.0");
  assertEquals(free.stderr.includes("yanked"), false);
  await p.config(configText(index.url, { default: { packages: ["lib==1.1"] } }));
  const pinned = await p.run(["lock"]);
  assertEquals(pinned.code, 0, pinned.stderr);
  assertEquals((await p.lock()).environments.default[0].version, "1.1");
  assertStringIncludes(pinned.stderr, "warning: default: lib 1.1 is yanked (data loss)");
});

Deno.test("lock --json reports the result as data", async () => {
  const lib1 = await buildWheel({ name: "lib", version: "1.0" });
  await using index = await startIndex({ projects: { lib: [lib1] } });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["lib"] } }));
  const r = await p.run(["lock", "--json"]);
  assertEquals(r.code, 0, r.stderr);
  const data = JSON.parse(r.stdout);
  assertEquals(data.environments, { default: [{ name: "lib", version: "1.0" }] });
  assert(data.written);
});
