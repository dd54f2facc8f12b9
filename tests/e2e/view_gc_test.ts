// `store gc` and environment views (#15.3) and leases (#14.4): a view is a user of what it links,
// kept while its project's lock lists all of it or while it was used lately, and removed with the
// project, or once a view of an older lock went unused for longer; a running
// `envknit run` keeps its view and entries through its lease while its process lives, and a
// lease of a dead process (or of a pid reused by another process) is ignored and cleaned.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { readUntil, spawnEnvknit } from "../support/cli.ts";
import { entryDir, envknit, exists, makeProject, writeTestLock } from "./install_support.ts";
import { processStartTime } from "../../store/leases.ts";

const one = await buildWheel({ name: "leased", version: "1.0" });
const two = await buildWheel({ name: "leased", version: "2.0" });

async function views(home: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(`${home}/views`))).map((e) => e.name)
      .filter((n) => !n.startsWith(".")).sort();
  } catch {
    return [];
  }
}

Deno.test("store gc: views follow their project's lock", async () => {
  await using index = await startIndex({ projects: { leased: [one, two] } });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [one] }] }, index);
  assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
  const env = await envknit(["env", "python"], { cwd: p.project, env: p.env });
  assertEquals(env.code, 0, env.stderr);
  const [first] = await views(p.home);
  assert(env.stdout.trim().endsWith(`/views/${first}/bin/python`), env.stdout);

  // Kept: the lock lists all it links.
  let gc = await envknit(["store", "gc"], { cwd: p.project, env: p.env });
  assertEquals(gc.code, 0, gc.stderr);
  assertEquals(await views(p.home), [first]);
  assert(await exists(entryDir(p.home, one)));

  // The lock moves on: the old view (an editor may still run its python) keeps its entry while
  // it was used lately...
  await writeTestLock(p.lockPath, { default: [{ wheels: [two] }] }, index);
  assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
  const again = await envknit(["env", "python"], { cwd: p.project, env: p.env });
  assertEquals(again.code, 0, again.stderr);
  assertEquals((await views(p.home)).length, 2);
  gc = await envknit(["store", "gc"], { cwd: p.project, env: p.env });
  assertEquals(gc.code, 0, gc.stderr);
  assertEquals((await views(p.home)).length, 2);
  assert(await exists(entryDir(p.home, one)), "the old view is a user of its entry");
  // ... and goes with it once unused for longer than gc keeps such views.
  const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  await Deno.utime(`${p.home}/views/${first}/view.json`, old, old);
  gc = await envknit(["store", "gc"], { cwd: p.project, env: p.env });
  assertEquals(gc.code, 0, gc.stderr);
  assertStringIncludes(gc.stdout, `removed view ${first}`);
  const [second] = await views(p.home);
  assertEquals((await views(p.home)).length, 1);
  assert(second !== first);
  assert(!(await exists(entryDir(p.home, one))));
  assert(await exists(entryDir(p.home, two)));
  // The current view, however old, stays while the lock lists what it links.
  await Deno.utime(`${p.home}/views/${second}/view.json`, old, old);
  gc = await envknit(["store", "gc"], { cwd: p.project, env: p.env });
  assertEquals(await views(p.home), [second]);
  // run and env python mark a view as used (at most once a day).
  assertEquals((await envknit(["env", "python"], { cwd: p.project, env: p.env })).code, 0);
  const used = (await Deno.stat(`${p.home}/views/${second}/view.json`)).mtime!.getTime();
  assert(Date.now() - used < 3600_000, "marked as used");

  // The project is gone: so are its views and entries.
  await Deno.remove(p.lockPath);
  gc = await envknit(["store", "gc"], { cwd: p.project, env: p.env });
  assertEquals(gc.code, 0, gc.stderr);
  assertEquals(await views(p.home), []);
  assert(!(await exists(entryDir(p.home, two))));
});

Deno.test("store gc honours the lease of a running envknit run, and cleans it once dead", async () => {
  await using index = await startIndex({ projects: { leased: [one] } });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [one] }] }, index);
  assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);

  // A long command, in a process group of its own (killed as a whole below).
  const child = spawnEnvknit(
    [
      "run",
      "--",
      "python",
      "-c",
      "import leased, time; print('ready', flush=True); time.sleep(120)",
    ],
    { cwd: p.project, env: p.env, detached: true },
  );
  try {
    const reader = child.stdout.getReader();
    const out = await readUntil(reader, "ready");
    assert(out.includes("ready"), out);
    reader.releaseLock();
    const leases = await Array.fromAsync(Deno.readDir(`${p.home}/leases`));
    assertEquals(leases.length, 1);
    const lease = JSON.parse(await Deno.readTextFile(`${p.home}/leases/${leases[0].name}`));
    assertEquals(lease.pids.length, 2, "envknit and its command");

    // The project goes away while the command runs: gc keeps what the command uses.
    await Deno.rename(p.lockPath, `${p.dir}/aside.yaml`);
    const gc = await envknit(["store", "gc"], { cwd: p.dir, env: p.env });
    assertEquals(gc.code, 0, gc.stderr);
    assert(await exists(entryDir(p.home, one)), "a leased entry stays");
    assertEquals((await views(p.home)).length, 1, "and its view");
  } finally {
    Deno.kill(-child.pid, "SIGKILL");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel();
  }
  // Killed: the lease (left behind by SIGKILL) is ignored and removed.
  assertEquals((await Array.fromAsync(Deno.readDir(`${p.home}/leases`))).length, 1);
  const gc = await envknit(["store", "gc"], { cwd: p.dir, env: p.env });
  assertEquals(gc.code, 0, gc.stderr);
  assert(!(await exists(entryDir(p.home, one))));
  assertEquals(await views(p.home), []);
  assertEquals((await Array.fromAsync(Deno.readDir(`${p.home}/leases`))).length, 0);
});

Deno.test("store gc: a lease naming a live pid with another start time is stale", async () => {
  await using index = await startIndex({ projects: { leased: [one] } });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [one] }] }, index);
  assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
  const env = await envknit(["env", "python"], { cwd: p.project, env: p.env });
  assertEquals(env.code, 0, env.stderr);
  const [key] = await views(p.home);
  const start = processStartTime(Deno.pid);
  assert(start !== null);
  await Deno.mkdir(`${p.home}/leases`);
  // This test's own pid (alive) but another start time: a reused pid.
  const reused = `${p.home}/leases/${Deno.pid}-1.json`;
  await Deno.writeTextFile(
    reused,
    JSON.stringify({ pids: [[Deno.pid, start + 12345]], view: key, lock: p.lockPath }),
  );
  // The same pid and start time: live.
  const live = `${p.home}/leases/${Deno.pid}-${start}.json`;
  await Deno.writeTextFile(
    live,
    JSON.stringify({ pids: [[Deno.pid, start]], view: key, lock: p.lockPath }),
  );
  await Deno.remove(p.lockPath);
  let gc = await envknit(["store", "gc"], { cwd: p.dir, env: p.env });
  assertEquals(gc.code, 0, gc.stderr);
  assert(await exists(entryDir(p.home, one)), "the live lease keeps it");
  assert(!(await exists(reused)), "the reused pid's lease is cleaned");
  assert(await exists(live));
  await Deno.remove(live);
  gc = await envknit(["store", "gc"], { cwd: p.dir, env: p.env });
  assertEquals(gc.code, 0, gc.stderr);
  assert(!(await exists(entryDir(p.home, one))));
});
