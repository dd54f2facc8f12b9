// `envknit store list | stats | cleanup | gc [--dry-run]`: projects are recorded by install and
// run; gc removes entries and cached wheels that no recorded project's lock still uses, and
// drops projects whose lock is gone.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import {
  entryDir,
  envknit,
  exists,
  makeProject,
  snapshot,
  writeTestLock,
} from "./install_support.ts";

const common = await buildWheel({ name: "common", version: "1.0" });
const oldA = await buildWheel({ name: "liba", version: "1.0" });
const newA = await buildWheel({ name: "liba", version: "2.0" });
const onlyB = await buildWheel({ name: "libb", version: "1.0" });

Deno.test("store gc keeps what recorded locks use and removes the rest", async () => {
  await using index = await startIndex({
    projects: { common: [common], liba: [oldA, newA], libb: [onlyB] },
  });
  await using a = await makeProject();
  await using b = await makeProject();
  const envB = { ...b.env, ENVKNIT_HOME: a.home };
  await writeTestLock(a.lockPath, { default: [{ wheels: [common] }, { wheels: [oldA] }] }, index);
  await writeTestLock(b.lockPath, { default: [{ wheels: [common] }, { wheels: [onlyB] }] }, index);
  assertEquals((await envknit(["install"], { cwd: a.project, env: a.env })).code, 0);
  assertEquals((await envknit(["install"], { cwd: b.project, env: envB })).code, 0);
  // Project A upgrades liba: 1.0 is no longer used by anyone.
  await writeTestLock(a.lockPath, { default: [{ wheels: [common] }, { wheels: [newA] }] }, index);
  assertEquals((await envknit(["install"], { cwd: a.project, env: a.env })).code, 0);

  const list = await envknit(["store", "list"], { cwd: a.project, env: a.env });
  assertEquals(list.stdout.trim().split("\n").map((l) => l.split(" ").slice(0, 2).join(" ")), [
    "common 1.0",
    "liba 1.0",
    "liba 2.0",
    "libb 1.0",
  ]);
  const stats = JSON.parse(
    (await envknit(["store", "stats", "--json"], { cwd: a.project, env: a.env })).stdout,
  );
  assertEquals([stats.entries, stats.cachedWheels, stats.recordedProjects], [4, 4, 2]);

  const before = await snapshot(a.home);
  const dry = await envknit(["store", "gc", "--dry-run"], { cwd: a.project, env: a.env });
  assertEquals(dry.code, 0, dry.stderr);
  assertStringIncludes(dry.stdout, `would remove liba 1.0 ${oldA.sha256.slice(0, 16)}`);
  assertStringIncludes(dry.stdout, `would remove cached ${oldA.sha256}.whl`);
  assertEquals(await snapshot(a.home), before, "a dry run changes nothing");

  const gc = await envknit(["store", "gc"], { cwd: a.project, env: a.env });
  assertEquals(gc.code, 0, gc.stderr);
  assert(!(await exists(entryDir(a.home, oldA))));
  assert(!(await exists(`${a.home}/packages/liba/1.0`)), "empty version folders go too");
  assert(!(await exists(`${a.home}/cache/wheels/${oldA.sha256}.whl`)));
  for (const w of [common, newA, onlyB]) assert(await exists(entryDir(a.home, w)), w.filename);

  // Project B is deleted: its lock is gone, so is its record, and what only it used.
  await Deno.remove(b.project, { recursive: true });
  const gc2 = await envknit(["store", "gc", "--json"], { cwd: a.project, env: a.env });
  const result = JSON.parse(gc2.stdout);
  assertEquals(result.droppedProjects, [b.lockPath]);
  assertEquals(result.removedEntries, [entryDir(a.home, onlyB)]);
  assertEquals((await Array.fromAsync(Deno.readDir(`${a.home}/projects`))).length, 1);
  assert(await exists(entryDir(a.home, common)) && await exists(entryDir(a.home, newA)));
  const verify = await envknit(["verify"], { cwd: a.project, env: a.env });
  assertEquals(verify.code, 0, verify.stdout);

  // `run` records its project too (a project that only ever ran is not collected).
  await Deno.remove(`${a.home}/projects`, { recursive: true });
  assertEquals(
    (await envknit(["run", "--", "python", "-c", "pass"], { cwd: a.project, env: a.env })).code,
    0,
  );
  const gc3 = JSON.parse(
    (await envknit(["store", "gc", "--json"], { cwd: a.project, env: a.env })).stdout,
  );
  assertEquals(gc3.removedEntries, []);
});

Deno.test("store cleanup removes leftovers of killed installs; usage errors exit 2", async () => {
  await using p = await makeProject();
  await Deno.mkdir(`${p.home}/packages/.tmp/killed-1234/pkg`, { recursive: true });
  await Deno.writeTextFile(`${p.home}/packages/.tmp/killed-1234/pkg/x.py`, "");
  await Deno.mkdir(`${p.home}/cache/wheels/.tmp/dl-1`, { recursive: true });
  await Deno.mkdir(`${p.home}/projects`, { recursive: true });
  await Deno.writeTextFile(
    `${p.home}/projects/0123456789abcdef.json`,
    JSON.stringify({ lock: `${p.dir}/gone/envknit.lock.yaml`, last_used: "" }),
  );
  const r = await envknit(["store", "cleanup"], { cwd: p.project, env: p.env });
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "removed 2 leftover temp item(s), forgot 1 project(s)");
  assert(!(await exists(`${p.home}/packages/.tmp`)));
  assert(!(await exists(`${p.home}/cache/wheels/.tmp`)));
  assertEquals((await envknit(["store"], { cwd: p.project, env: p.env })).code, 2);
  assertEquals((await envknit(["store", "frob"], { cwd: p.project, env: p.env })).code, 2);
  assertEquals(
    (await envknit(["store", "list", "--dry-run"], { cwd: p.project, env: p.env })).code,
    2,
  );
});
