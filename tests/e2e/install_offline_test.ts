// Air-gapped installs: `envknit fetch --dest DIR` on a connected machine, then on one without an
// index `envknit install --offline --find-links DIR`, every file checked against the lock.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { envknit, makeProject, snapshot, writeTestLock } from "./install_support.ts";
import { sha256Hex as sha } from "../../core/sha256.ts";

const pure = await buildWheel({ name: "pure", version: "1.0" });
const native311 = await buildWheel({
  name: "native",
  version: "2.0",
  tags: ["cp311-cp311-manylinux_2_17_x86_64"],
  files: { "native/__init__.py": "BUILD = 'cp311'\n" },
});
const native312 = await buildWheel({
  name: "native",
  version: "2.0",
  tags: ["cp312-cp312-manylinux_2_17_x86_64"],
  files: { "native/__init__.py": "BUILD = 'cp312'\n" },
});
const nativeMac = await buildWheel({
  name: "native",
  version: "2.0",
  tags: ["cp311-cp311-macosx_11_0_arm64"],
  files: { "native/__init__.py": "BUILD = 'mac'\n" },
});

Deno.test("fetch, stop the index, install --offline --find-links", async () => {
  await using p = await makeProject();
  const dest = `${p.dir}/wheelhouse`;
  {
    await using index = await startIndex({
      projects: { pure: [pure], native: [native311, native312, nativeMac] },
    });
    await writeTestLock(p.lockPath, {
      default: [{ wheels: [pure] }, { wheels: [native311, native312, nativeMac] }],
    }, index);
    // On the connected machine, with its own store (nothing cached that could help later).
    const connected = { ...p.env, ENVKNIT_HOME: `${p.dir}/connected-home` };
    const f = await envknit(["fetch", "--dest", dest], { cwd: p.project, env: connected });
    assertEquals(f.code, 0, f.stderr);
    assertStringIncludes(f.stderr, "wrote 2 wheels");
    const files = (await Array.fromAsync(Deno.readDir(dest))).map((e) => e.name).sort();
    // This interpreter is CPython 3.11 on x86_64 Linux: the cp311 manylinux build is chosen.
    assertEquals(files, [native311.filename, pure.filename].sort());
    const all = await envknit(["fetch", "--dest", dest, "--all-platforms"], {
      cwd: p.project,
      env: connected,
    });
    assertEquals(all.code, 0, all.stderr);
    assertStringIncludes(all.stderr, "wrote 2 wheels to");
    assertStringIncludes(all.stderr, "(2 already there)");
    assertEquals((await Array.fromAsync(Deno.readDir(dest))).length, 4);
  } // the index is stopped here

  const offline = await envknit(["install", "--offline", "--find-links", dest], {
    cwd: p.project,
    env: p.env,
  });
  assertEquals(offline.code, 0, offline.stderr);
  assertMatch(offline.stderr, /installed 2 packages/);
  const run = await envknit([
    "run",
    "--",
    "python",
    "-c",
    "import native, pure; print(native.BUILD)",
  ], {
    cwd: p.project,
    env: p.env,
  });
  assertEquals(run.stdout, "cp311\n", run.stderr);
  assertEquals((await envknit(["verify"], { cwd: p.project, env: p.env })).code, 0);
});

Deno.test("offline: a tampered file in the find-links folder is refused, a missing one named", async () => {
  await using p = await makeProject();
  const dest = `${p.dir}/wheelhouse`;
  await Deno.mkdir(dest);
  await Deno.writeFile(`${dest}/${native311.filename}`, native311.bytes);
  await writeTestLock(p.lockPath, { default: [{ wheels: [native311] }] }, null);
  const first = await envknit(["install", "--offline", "--find-links", dest], {
    cwd: p.project,
    env: p.env,
  });
  assertEquals(first.code, 0, first.stderr);
  const before = await snapshot(p.home);

  await writeTestLock(p.lockPath, { default: [{ wheels: [pure] }, { wheels: [native311] }] }, null);
  const tampered = pure.bytes.slice();
  tampered[tampered.length - 30] ^= 1;
  await Deno.writeFile(`${dest}/${pure.filename}`, tampered);
  const r = await envknit(["install", "--offline", "--find-links", dest], {
    cwd: p.project,
    env: p.env,
  });
  assertEquals(r.code, 1);
  assertEquals(r.stderr.split("\n").filter((l) => l.startsWith("error:")), [
    `error: sha256 mismatch for ${pure.filename}: the lock has ${pure.sha256}, ` +
    `the file has ${await sha(tampered)}`,
  ]);
  assertEquals(await snapshot(p.home), before);

  await Deno.remove(`${dest}/${pure.filename}`);
  const missing = await envknit(["install", "--offline", "--find-links", dest], {
    cwd: p.project,
    env: p.env,
  });
  assertEquals(missing.code, 1);
  assertStringIncludes(
    missing.stderr,
    `error: offline, and 1 wheel is neither in the cache nor in a --find-links folder: ${pure.filename}`,
  );
  assert(missing.stderr.includes("hint: on a connected machine: envknit fetch --dest DIR"));
  const usage = await envknit(["fetch"], { cwd: p.project, env: p.env });
  assertEquals(usage.code, 2);
});
