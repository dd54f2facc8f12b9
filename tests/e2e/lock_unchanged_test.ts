// An up-to-date lock is not resolved again (ops/lock/lock_memo.ts): `envknit lock` run again with
// the same inputs, the lock as written and the index's pages still fresh by their max-age stops
// early with no request; anything that could change the answer resolves again.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel, type BuiltWheel } from "../support/wheel_factory.ts";
import { configText, lockProjectDir } from "./lock_support.ts";

async function projects(): Promise<Record<string, BuiltWheel[]>> {
  return {
    app: [await buildWheel({ name: "app", version: "1.0", requiresDist: ["lib>=1"] })],
    lib: [
      await buildWheel({ name: "lib", version: "1.0" }),
      await buildWheel({ name: "lib", version: "1.1" }),
    ],
  };
}

/** Whether a `-v lock` found the lock up to date (its timings line says so). */
function unchanged(stderr: string): boolean {
  const timings = stderr.split("\n").find((l) => l.includes("timings (ms):"));
  assert(timings !== undefined, `no timings line in:\n${stderr}`);
  return /timings \(ms\): unchanged \d+$/.test(timings.trim());
}

Deno.test("an up-to-date lock is not resolved again; an edit, other inputs or --refresh resolve", async () => {
  await using index = await startIndex({
    projects: await projects(),
    pageCacheControl: "max-age=600, public",
  });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["app"] } }));
  const cold = await p.run(["-v", "lock"]);
  assertEquals(cold.code, 0, cold.stderr);
  assert(!unchanged(cold.stderr));
  const text = await p.lockText();

  index.reset();
  const again = await p.run(["-v", "lock"]);
  assertEquals(again.code, 0, again.stderr);
  assert(unchanged(again.stderr), again.stderr);
  assertStringIncludes(again.stderr, "locked 2 packages in 1 environment");
  assertStringIncludes(again.stderr, "envknit.lock.yaml unchanged");
  assertEquals(index.counts.total, 0);
  assertEquals(await p.lockText(), text);

  // The lock edited by hand: resolved again, and written as a lock of envknit.yaml.
  await Deno.writeTextFile(p.lockPath, `# edited\n${text}`);
  const edited = await p.run(["-v", "lock"]);
  assertEquals(edited.code, 0, edited.stderr);
  assert(!unchanged(edited.stderr), edited.stderr);
  assertEquals(
    (await p.lockText())?.replace(/^lock_generated_at: .*$/m, ""),
    text?.replace(/^lock_generated_at: .*$/m, ""),
  );
  assert(unchanged((await p.run(["-v", "lock"])).stderr));

  // Another target on the command line, then this machine again: each resolves.
  const other = await p.run(
    ["-v", "lock", "--python-version", "3.9", "--platform", "manylinux_2_28_x86_64"],
  );
  assertEquals(other.code, 0, other.stderr);
  assert(!unchanged(other.stderr), other.stderr);
  assertEquals((await p.lock()).target.python, "3.9");
  const back = await p.run(["-v", "lock"]);
  assert(!unchanged(back.stderr), back.stderr);
  assert((await p.lock()).target.python !== "3.9");
  assert(unchanged((await p.run(["-v", "lock"])).stderr));

  // --refresh revalidates every page, so it resolves; so do --upgrade and an edited envknit.yaml.
  index.reset();
  const refreshed = await p.run(["-v", "lock", "--refresh"]);
  assert(!unchanged(refreshed.stderr), refreshed.stderr);
  assertEquals(index.counts.page, 2);
  assert(!unchanged((await p.run(["-v", "lock", "--upgrade"])).stderr));
  await p.config(configText(index.url, { default: { packages: ["app", "lib<1.1"] } }));
  const changed = await p.run(["-v", "lock"]);
  assert(!unchanged(changed.stderr), changed.stderr);
  assertEquals(
    (await p.lock()).environments.default.map((e) => `${e.name} ${e.version}`),
    ["app 1.0", "lib 1.0"],
  );
});

Deno.test("a lock is resolved again once the index's pages are stale", async () => {
  await using index = await startIndex({
    projects: await projects(),
    pageCacheControl: "max-age=1",
  });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["app"] } }));
  assertEquals((await p.run(["lock"])).code, 0);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  index.reset();
  const stale = await p.run(["-v", "lock"]);
  assertEquals(stale.code, 0, stale.stderr);
  assert(!unchanged(stale.stderr), stale.stderr);
  assertEquals(index.counts.page, 2); // both pages revalidated
});

Deno.test("an index that promises no freshness is asked on every lock", async () => {
  await using index = await startIndex({ projects: await projects() }); // no Cache-Control
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["app"] } }));
  assertEquals((await p.run(["lock"])).code, 0);
  index.reset();
  const again = await p.run(["-v", "lock"]);
  assertEquals(again.code, 0, again.stderr);
  assert(!unchanged(again.stderr), again.stderr);
  assertEquals(index.counts.page, 2);
});
