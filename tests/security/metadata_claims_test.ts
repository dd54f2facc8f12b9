// Issue #14.1: an index's PEP 658 `.metadata` is a claim, not a fact. A hostile loopback index
// serves a `.metadata` that names other dependencies (or another Requires-Python) than the
// wheel's own METADATA. The lie may be locked, but `install` compares the wheel with the lock and
// refuses it (one error line naming the package and the field, exit 1, store entries unchanged),
// the cached claim is evicted so the next lock uses the truth, and the claim never reaches a
// project locked against an honest index through the shared cache.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { type IndexFile, startIndex } from "../support/index_server.ts";
import { buildWheel, metadataText, type WheelSpec } from "../support/wheel_factory.ts";
import { configText, errorLines, lockProjectDir } from "../e2e/lock_support.ts";
import { snapshot } from "../e2e/install_support.ts";

const greeterSpec: WheelSpec = {
  name: "greeter",
  version: "1.0",
  requiresDist: ["wordlib>=1.0"],
  requiresPython: ">=3.8",
};
const greeter = await buildWheel(greeterSpec);
const wordlib = await buildWheel({ name: "wordlib", version: "1.0" });
const evil = await buildWheel({ name: "evil", version: "1.0" });

/** The projects of an index serving `greeter` with this `.metadata` text. */
function projects(greeterMetadata: string): Record<string, IndexFile[]> {
  return {
    greeter: [{ ...greeter, metadata: greeterMetadata }],
    wordlib: [wordlib],
    evil: [evil],
  };
}

const lyingDeps = metadataText({ ...greeterSpec, requiresDist: ["evil"] });

/** The lock's entry of `name` in the default environment. */
async function entry(p: Awaited<ReturnType<typeof lockProjectDir>>, name: string) {
  return (await p.lock()).environments.default.find((e) => e.name === name);
}

Deno.test("a lying .metadata is refused at install, evicted, and never poisons another project", async () => {
  await using hostile = await startIndex({ projects: projects(lyingDeps) });
  await using honest = await startIndex({ projects: projects(greeter.metadata!) });
  await using a = await lockProjectDir();
  await using b = await lockProjectDir();
  const shared = { ENVKNIT_HOME: a.home }; // one store for both projects
  await a.config(configText(hostile.url, { default: { packages: ["greeter"] } }));
  await b.config(configText(honest.url, { default: { packages: ["greeter"] } }));

  // Project A locks the lie (the index's claim is all there is at lock time).
  const lockA = await a.run(["lock"], shared);
  assertEquals(lockA.code, 0, lockA.stderr);
  assertEquals((await entry(a, "greeter"))?.dependencies, ["evil"]);

  // Project B, against an honest index and the same store, gets the wheel's own dependencies:
  // A's claim is cached under its own identity, not under the wheel's hash.
  const lockB = await b.run(["lock"], shared);
  assertEquals(lockB.code, 0, lockB.stderr);
  assertEquals((await entry(b, "greeter"))?.dependencies, ["wordlib>=1.0"]);
  assert(await entry(b, "wordlib"));
  assertEquals(await entry(b, "evil"), undefined);
  // ... also after --refresh --upgrade
  const again = await b.run(["lock", "--refresh", "--upgrade"], shared);
  assertEquals(again.code, 0, again.stderr);
  assertEquals((await entry(b, "greeter"))?.dependencies, ["wordlib>=1.0"]);

  // A's install reads the wheel and refuses the lock: one error line naming the package and the
  // field; no entry is added to the store.
  const before = await snapshot(`${a.home}/packages`);
  const install = await a.run(["install"], shared);
  assertEquals(install.code, 1, install.stderr);
  const errors = errorLines(install.stderr);
  assertEquals(errors.length, 1, install.stderr);
  assertMatch(errors[0], /^error: greeter 1\.0: .*Requires-Dist/);
  assertStringIncludes(errors[0], '"evil"');
  assertEquals(await snapshot(`${a.home}/packages`), before);

  // The claim was evicted (and the wheel's own metadata kept): locking A again, against the same
  // lying index, now locks the truth, and installs.
  hostile.reset();
  const relock = await a.run(["lock", "--upgrade"], shared);
  assertEquals(relock.code, 0, relock.stderr);
  assertEquals((await entry(a, "greeter"))?.dependencies, ["wordlib>=1.0"]);
  assertEquals(
    hostile.requests.filter((r) => r.path.includes("greeter") && r.kind === "metadata"),
    [],
  );
  const ok = await a.run(["install"], shared);
  assertEquals(ok.code, 0, ok.stderr);

  // B installs and runs with the truth too.
  const installB = await b.run(["install"], shared);
  assertEquals(installB.code, 0, installB.stderr);
});

Deno.test("a lie about an entry already in the store is refused too", async () => {
  await using hostile = await startIndex({ projects: projects(lyingDeps) });
  await using honest = await startIndex({ projects: projects(greeter.metadata!) });
  await using a = await lockProjectDir();
  await using b = await lockProjectDir();
  const shared = { ENVKNIT_HOME: b.home };
  await b.config(configText(honest.url, { default: { packages: ["greeter"] } }));
  await a.config(configText(hostile.url, { default: { packages: ["greeter"] } }));
  assertEquals((await b.run(["lock"], shared)).code, 0);
  const installB = await b.run(["install"], shared);
  assertEquals(installB.code, 0, installB.stderr);

  const lockA = await a.run(["lock"], shared);
  assertEquals(lockA.code, 0, lockA.stderr);
  assertEquals((await entry(a, "greeter"))?.dependencies, ["evil"]);
  const before = await snapshot(`${b.home}/packages`);
  const install = await a.run(["install"], shared);
  assertEquals(install.code, 1, install.stderr);
  const errors = errorLines(install.stderr);
  assertEquals(errors.length, 1, install.stderr);
  assertMatch(errors[0], /^error: greeter 1\.0: .*Requires-Dist/);
  assertEquals(await snapshot(`${b.home}/packages`), before);
});

Deno.test("a lying Requires-Python is refused at install, naming the field", async () => {
  const lie = metadataText({ ...greeterSpec, requiresPython: ">=3.0" });
  await using hostile = await startIndex({ projects: projects(lie) });
  await using a = await lockProjectDir();
  await a.config(configText(hostile.url, { default: { packages: ["greeter"] } }));
  const lock = await a.run(["lock"]);
  assertEquals(lock.code, 0, lock.stderr);
  assertEquals((await entry(a, "greeter"))?.requiresPython, ">=3.0");
  const before = await snapshot(a.home);
  const install = await a.run(["install"]);
  assertEquals(install.code, 1, install.stderr);
  const errors = errorLines(install.stderr);
  assertEquals(errors.length, 1, install.stderr);
  assertMatch(errors[0], /^error: greeter 1\.0: .*Requires-Python/);
  // Nothing but the index cache changed: the claim evicted, the wheel's own metadata kept.
  const store = (lines: string[]) => lines.filter((l) => !l.startsWith("cache/metadata-v2/"));
  assertEquals(store(await snapshot(a.home)), store(before));
});

Deno.test("an honest lock installs whatever the order of its dependencies and specifiers", async () => {
  const multi = await buildWheel({
    name: "multi",
    version: "1.0",
    requiresDist: [
      "wordlib (>=1.0,<3)",
      "evil; python_version < '3'",
      "Extra_Dep[Fast]>=0.1; extra == 'cli'",
    ],
    providesExtra: ["cli"],
  });
  const extraDep = await buildWheel({ name: "extra-dep", version: "1.0" });
  await using index = await startIndex({
    projects: { multi: [multi], wordlib: [wordlib], evil: [evil], "extra-dep": [extraDep] },
  });
  await using a = await lockProjectDir();
  await a.config(configText(index.url, { default: { packages: ["multi[cli]"] } }));
  const lock = await a.run(["lock"]);
  assertEquals(lock.code, 0, lock.stderr);
  const install = await a.run(["install"]);
  assertEquals(install.code, 0, install.stderr);
});

Deno.test("a .metadata that drops a dependency whose marker holds here is refused at install", async () => {
  const spec: WheelSpec = {
    name: "platty",
    version: "1.0",
    requiresDist: [`wordlib; sys_platform == "${Deno.build.os === "darwin" ? "darwin" : "linux"}"`],
  };
  const platty = await buildWheel(spec);
  await using hostile = await startIndex({
    projects: { platty: [{ ...platty, metadata: metadataText({ ...spec, requiresDist: [] }) }] },
  });
  await using a = await lockProjectDir();
  await a.config(configText(hostile.url, { default: { packages: ["platty"] } }));
  const lock = await a.run(["lock"]);
  assertEquals(lock.code, 0, lock.stderr);
  assertEquals((await entry(a, "platty"))?.dependencies, []);
  const before = await snapshot(`${a.home}/packages`);
  const install = await a.run(["install"]);
  assertEquals(install.code, 1, install.stderr);
  const errors = errorLines(install.stderr);
  assertEquals(errors.length, 1, install.stderr);
  assertMatch(errors[0], /^error: platty 1\.0: .*Requires-Dist.*wordlib/);
  assertEquals(await snapshot(`${a.home}/packages`), before);
});

Deno.test("a Requires-Python claimed for a wheel that declares none is refused at install", async () => {
  const plainSpec: WheelSpec = { name: "greeter", version: "1.0", requiresDist: ["wordlib>=1.0"] };
  const plain = await buildWheel(plainSpec);
  const lie = metadataText({ ...plainSpec, requiresPython: ">=3.0" });
  await using hostile = await startIndex({
    projects: { greeter: [{ ...plain, metadata: lie }], wordlib: [wordlib] },
  });
  await using a = await lockProjectDir();
  await a.config(configText(hostile.url, { default: { packages: ["greeter"] } }));
  assertEquals((await a.run(["lock"])).code, 0);
  assertEquals((await entry(a, "greeter"))?.requiresPython, ">=3.0");
  const install = await a.run(["install"]);
  assertEquals(install.code, 1, install.stderr);
  const errors = errorLines(install.stderr);
  assertEquals(errors.length, 1, install.stderr);
  assertMatch(errors[0], /^error: greeter 1\.0: .*Requires-Python/);
  // Evicted: the next lock records what the wheel says (nothing), and installs.
  hostile.reset();
  assertEquals((await a.run(["lock", "--upgrade"])).code, 0);
  assertEquals((await entry(a, "greeter"))?.requiresPython, undefined);
  const ok = await a.run(["install"]);
  assertEquals(ok.code, 0, ok.stderr);
});

Deno.test("an index page's data-requires-python for a wheel that declares none locks and installs", async () => {
  // Honest but inconsistent (an old upload): the page says >=3.8, the wheel says nothing. The
  // page still filters candidates; the lock records the wheel's own (none), so install agrees.
  const plain = await buildWheel({ name: "greeter", version: "1.0", requiresDist: ["wordlib"] });
  await using index = await startIndex({
    projects: { greeter: [{ ...plain, requiresPython: ">=3.8" }], wordlib: [wordlib] },
  });
  await using a = await lockProjectDir();
  await a.config(configText(index.url, { default: { packages: ["greeter"] } }));
  const lock = await a.run(["lock"]);
  assertEquals(lock.code, 0, lock.stderr);
  const install = await a.run(["install"]);
  assertEquals(install.code, 0, install.stderr);
});
