// The target interpreter of `envknit lock`: the local Python by default, or another machine
// described by --python-version and --platform; wheels decide which versions are possible.
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildSdist, buildWheel } from "../support/wheel_factory.ts";
import { configText, errorLines, lockProjectDir } from "./lock_support.ts";

Deno.test("--python-version/--platform lock for another machine without running Python", async () => {
  const linux312 = await buildWheel({
    name: "native",
    version: "2.0",
    tags: ["cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"],
    requiresDist: ["helper; python_version >= '3.12'", "winhelper; sys_platform == 'win32'"],
  });
  const mac312 = await buildWheel({
    name: "native",
    version: "2.0",
    tags: ["cp312-cp312-macosx_11_0_arm64"],
    requiresDist: ["helper; python_version >= '3.12'", "winhelper; sys_platform == 'win32'"],
  });
  const native1 = await buildWheel({
    name: "native",
    version: "1.0",
    tags: ["cp310-abi3-win_amd64"],
  });
  const helper = await buildWheel({ name: "helper", version: "1.0" });
  const winhelper = await buildWheel({ name: "winhelper", version: "1.0" });
  await using index = await startIndex({
    projects: { native: [native1, linux312, mac312], helper: [helper], winhelper: [winhelper] },
  });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["native"] } }));
  // No Python can be found: the lock must not need one.
  const env = { PATH: "/nonexistent", ENVKNIT_PYTHON: "" };
  const r = await p.run(
    ["lock", "--python-version", "3.12", "--platform", "manylinux_2_28_x86_64"],
    env,
  );
  assertEquals(r.code, 0, r.stderr);
  const lock = await p.lock();
  assertEquals(lock.target, { python: "3.12", platform: "manylinux_2_28_x86_64" });
  const native = lock.environments.default.find((x) => x.name === "native")!;
  assertEquals(native.version, "2.0");
  assertEquals(native.dependencies, ["helper"]);
  assertEquals(native.wheels.length, 2); // the macOS wheel too
  assertEquals(lock.environments.default.map((x) => x.name), ["helper", "native"]);

  // For Windows, only 1.0 has a wheel.
  const win = await p.run([
    "lock",
    "--dry-run",
    "--python-version",
    "3.12",
    "--platform",
    "win_amd64",
  ], env);
  assertEquals(win.code, 0, win.stderr);
  assertStringIncludes(win.stdout, 'version: "1.0"');
});

Deno.test("versions without a compatible wheel are skipped; sdist-only is an error saying why", async () => {
  const old = await buildWheel({ name: "pkg", version: "1.0" });
  const newer = await buildWheel({
    name: "pkg",
    version: "2.0",
    tags: ["py3-none-macosx_10_9_ppc64"],
  });
  const sdistOnly = await buildSdist({ name: "srconly", version: "1.0" });
  await using index = await startIndex({ projects: { pkg: [old, newer], srconly: [sdistOnly] } });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["pkg"] } }));
  const r = await p.run([
    "lock",
    "--python-version",
    "3.12",
    "--platform",
    "manylinux_2_28_x86_64",
  ]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals((await p.lock()).environments.default.map((x) => x.version), ["1.0"]);

  await p.config(configText(index.url, { default: { packages: ["srconly"] } }));
  const bad = await p.run(["lock"]);
  assertEquals(bad.code, 1);
  assertEquals(errorLines(bad.stderr).length, 1);
  assertStringIncludes(bad.stderr, "wheels only");
});

Deno.test("the local interpreter by default: environment python_version, --python", async () => {
  const pkg = await buildWheel({
    name: "pkg",
    version: "1.0",
    requiresDist: ["py312plus; python_version >= '3.12'", "older; python_version < '3.12'"],
  });
  const a = await buildWheel({ name: "py312plus", version: "1.0" });
  const b = await buildWheel({ name: "older", version: "1.0" });
  await using index = await startIndex({ projects: { pkg: [pkg], py312plus: [a], older: [b] } });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["pkg"] } }));
  const r = await p.run(["lock", "--python", "python3"], { ENVKNIT_PYTHON: "" });
  assertEquals(r.code, 0, r.stderr);
  const lock = await p.lock();
  const [major, minor] = lock.target.python.split(".").map(Number);
  const expected = major > 3 || (major === 3 && minor >= 12) ? "py312plus" : "older";
  assertEquals(lock.environments.default.map((x) => x.name).sort(), [expected, "pkg"].sort());

  // A python_version no interpreter here has: the error says how to choose one.
  await p.config(configText(index.url, { default: { packages: ["pkg"], python: "3.99" } }));
  const missing = await p.run(["lock"], { ENVKNIT_PYTHON: "" });
  assertEquals(missing.code, 1);
  assertStringIncludes(errorLines(missing.stderr)[0] ?? "", "3.99");
});
