// Fast I/O of `envknit lock`: a warm lock sends one conditional request per project page and no
// metadata request; --offline sends none; pages are fetched in parallel as names appear;
// transient failures are retried.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel, type BuiltWheel } from "../support/wheel_factory.ts";
import { configText, errorLines, lockProjectDir } from "./lock_support.ts";

/** root → mid-0..mid-7 → leaf: 10 projects, two levels of fan-out. */
async function tree(): Promise<Record<string, BuiltWheel[]>> {
  const mids = Array.from({ length: 8 }, (_, i) => `mid-${i}`);
  const projects: Record<string, BuiltWheel[]> = {
    root: [await buildWheel({ name: "root", version: "1.0", requiresDist: mids })],
    leaf: [await buildWheel({ name: "leaf", version: "1.0" })],
  };
  for (const m of mids) {
    projects[m] = [
      await buildWheel({ name: m, version: "1.0", requiresDist: ["leaf"] }),
      await buildWheel({ name: m, version: "0.9", requiresDist: ["leaf"] }),
    ];
  }
  return projects;
}

Deno.test("warm lock: one conditional request per page, no metadata; offline: none", async () => {
  await using index = await startIndex({ projects: await tree() });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["root"] } }));
  const cold = await p.run(["lock"]);
  assertEquals(cold.code, 0, cold.stderr);
  assertEquals(index.counts.page, 10);
  assertEquals(index.counts.metadata, 10); // only the versions the solver chose: no waste here
  assertEquals(index.counts.wheel + index.counts.range, 0);
  // The lock without its timestamp: runs from scratch must give the same lock.
  const lockText = async () =>
    (await p.lockText())?.split("\n").filter((l) => !l.startsWith("lock_generated_at:"));
  const lock = await lockText();

  await Deno.remove(p.lockPath); // resolve again from scratch, not from the old lock
  index.reset();
  const warm = await p.run(["lock"]);
  assertEquals(warm.code, 0, warm.stderr);
  assertEquals(index.counts.total, 10);
  assertEquals(index.counts.page, 10);
  assertEquals(index.counts.notModified, 10);
  assertEquals(index.requests.every((r) => r.ifNoneMatch !== null), true);
  assertEquals(index.counts.metadata, 0);
  assertEquals(await lockText(), lock);

  await Deno.remove(p.lockPath);
  index.reset();
  const offline = await p.run(["--offline", "lock"]);
  assertEquals(offline.code, 0, offline.stderr);
  assertEquals(index.counts.total, 0);
  assertEquals(await lockText(), lock);
});

Deno.test("--offline with an empty cache says what is missing, and writes nothing", async () => {
  await using index = await startIndex({ projects: await tree() });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["root"] } }));
  const r = await p.run(["lock"], { ENVKNIT_OFFLINE: "1" });
  assertEquals(r.code, 1);
  const errors = errorLines(r.stderr);
  assertEquals(errors.length, 1);
  assertStringIncludes(errors[0], "offline: the index page of 'root' is not in the cache");
  assertStringIncludes(r.stderr, `${index.url}root/`);
  assertEquals(index.counts.total, 0);
  assertEquals(await p.lockText(), null);
});

Deno.test("pages are fetched in parallel as soon as names appear", async () => {
  await using index = await startIndex({
    projects: await tree(),
    faults: [{ type: "slow", kind: "page", delayMs: 300 }],
  });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["root"] } }));
  const started = performance.now();
  const r = await p.run(["lock"]);
  const seconds = (performance.now() - started) / 1000;
  assertEquals(r.code, 0, r.stderr);
  // 10 slow pages one after the other would take 3 s; the 8 mid pages overlap, so the chain is
  // root → mids (together) → leaf: about 0.9 s plus start-up.
  assert(seconds < 2.6, `took ${seconds.toFixed(2)} s`);
  // Several connections were used at once, and kept alive for the metadata that followed.
  assert(index.connections > 1 && index.connections < index.counts.total, `${index.connections}`);
});

Deno.test("a warm lock revalidates every page of the cached closure at once", async () => {
  await using index = await startIndex({ projects: await tree() });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["root"] } }));
  assertEquals((await p.run(["lock"])).code, 0);
  await Deno.remove(p.lockPath);
  // Every page now answers after 800 ms. Level by level (root, then the mids, then leaf) that
  // is 2.4 s; read ahead from the cache, the ten revalidations overlap.
  index.setFaults([{ type: "slow", kind: "page", delayMs: 800 }]);
  const started = performance.now();
  const warm = await p.run(["lock"]);
  const seconds = (performance.now() - started) / 1000;
  assertEquals(warm.code, 0, warm.stderr);
  assertEquals(index.counts.notModified, 10);
  assert(seconds < 1.9, `took ${seconds.toFixed(2)} s`);
});

Deno.test("5xx answers, resets and stalls are retried", async () => {
  await using index = await startIndex({
    projects: await tree(),
    faults: [
      { type: "status", status: 503, kind: "page", path: "/simple/root/", times: 2 },
      { type: "reset", kind: "metadata", times: 1 },
      { type: "slow", kind: "page", path: "/simple/leaf/", delayMs: 2000, times: 1 },
    ],
  });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["root"] } }));
  const r = await p.run(["lock"], { ENVKNIT_HTTP_TIMEOUT: "0.5" });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(index.faults.filter((f) => f.remaining > 0).length, 0);
  assertEquals((await p.lock()).environments.default.length, 10);
});
