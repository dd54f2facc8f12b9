// Hostile and broken input for `envknit install`: each case gives exactly one `error:` line, exit
// code 1, and leaves the store exactly as it was (a good package of the same lock included: an
// install is all or nothing).
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { type Fault, type IndexServer, startIndex } from "../support/index_server.ts";
import { type BrokenWheel, buildWheel, type BuiltWheel } from "../support/wheel_factory.ts";
import { envknit, exists, makeProject, snapshot, writeTestLock } from "./install_support.ts";

const baseline = await buildWheel({ name: "baseline", version: "1.0" });
const good = await buildWheel({
  name: "good",
  version: "1.0",
  files: { "good/__init__.py": "# good\n".repeat(20000) },
});
const big = await buildWheel({
  name: "big",
  version: "1.0",
  compression: "store",
  files: { "big/data.bin": new Uint8Array(2_000_000).map((_, i) => (i * 7919) % 251) },
});

const marker = `envknit-absolute-${crypto.randomUUID().slice(0, 8)}`;

interface Case {
  name: string;
  /** The hostile wheel (served as it is), or how to break it. */
  wheel: () => Promise<BuiltWheel>;
  /** The sha256 the lock records instead of the wheel's own. */
  lockSha?: (w: BuiltWheel) => string;
  faults?: (w: BuiltWheel, index: IndexServer) => Fault[];
  /** While the install runs (e.g. stop the index). */
  during?: (index: IndexServer) => Promise<void>;
  error: RegExp;
}

const broken = (b: BrokenWheel, name = "hostile") => () =>
  buildWheel({ name, version: "1.0", broken: b });

const cases: Case[] = [
  {
    name: "a wheel whose bytes do not match the lock",
    wheel: broken({}),
    lockSha: () => "ab".repeat(32),
    error: /^error: sha256 mismatch for hostile-1\.0-py3-none-any\.whl: the lock has abababab/,
  },
  {
    name: "an index serving other bytes than it listed",
    wheel: broken({}),
    faults: () => [{ type: "corrupt", kind: "wheel", path: /hostile/ }],
    error: /^error: sha256 mismatch for hostile-1\.0-py3-none-any\.whl/,
  },
  {
    name: "a member climbing out with ../",
    wheel: broken({ traversal: "../../../escaped.py" }),
    error:
      /^error: hostile-1\.0-py3-none-any\.whl: zip member "\.\.\/\.\.\/\.\.\/escaped\.py" goes up out of the target directory/,
  },
  {
    name: "a member with an absolute path",
    wheel: broken({ absolute: `/tmp/${marker}.py` }),
    error: new RegExp(
      `^error: hostile-1\\.0-py3-none-any\\.whl: zip member "/tmp/${marker}\\.py" is an absolute path`,
    ),
  },
  {
    name: "a symbolic link member",
    wheel: broken({ symlink: { path: "hostile/passwd", target: "/etc/passwd" } }),
    error:
      /^error: hostile-1\.0-py3-none-any\.whl: zip member "hostile\/passwd" is a symbolic link/,
  },
  {
    name: "a duplicated member",
    wheel: broken({ duplicate: true }),
    error:
      /^error: hostile-1\.0-py3-none-any\.whl: zip member "hostile\/__init__\.py" appears more than once/,
  },
  {
    name: "RECORD lying about a hash",
    wheel: broken({ recordHash: true }),
    error:
      /^error: hostile-1\.0-py3-none-any\.whl: RECORD does not match the wheel: "hostile\/__init__\.py" does not have the hash RECORD gives it/,
  },
  {
    name: "RECORD lying about a size",
    wheel: broken({ recordSize: true }),
    error: /RECORD does not match the wheel: "hostile\/__init__\.py" does not have the size/,
  },
  {
    name: "a member RECORD does not list",
    wheel: broken({ unrecorded: "hostile/sneaky.py" }),
    error: /RECORD does not match the wheel: "hostile\/sneaky\.py" is not listed in RECORD/,
  },
  {
    name: "RECORD listing a file the wheel lacks",
    wheel: broken({ recordOnly: "hostile/ghost.py" }),
    error: /RECORD does not match the wheel: it lists "hostile\/ghost\.py", which the wheel lacks/,
  },
  {
    name: "a member failing its CRC-32",
    wheel: broken({ badCrc: true }),
    error:
      /^error: hostile-1\.0-py3-none-any\.whl: zip member "hostile\/__init__\.py" fails its CRC-32 check/,
  },
  {
    name: "a wheel without RECORD",
    wheel: broken({ missingRecord: true }),
    error: /has no hostile-1\.0\.dist-info\/RECORD/,
  },
  {
    name: "a truncated wheel (as locked)",
    wheel: broken({ truncate: -200 }),
    error: /^error: hostile-1\.0-py3-none-any\.whl: not a zip file \(no end of central directory\)/,
  },
  {
    name: "a truncated download (every attempt)",
    wheel: () => buildWheel({ name: "hostile", version: "1.0" }),
    faults: () => [{ type: "truncate", kind: "wheel", path: /hostile/ }],
    error:
      /^error: the download of http:\/\/127\.0\.0\.1:\d+\/.*hostile-1\.0-py3-none-any\.whl failed/,
  },
  {
    name: "connections reset (every attempt)",
    wheel: () => buildWheel({ name: "hostile", version: "1.0" }),
    faults: () => [{ type: "reset", kind: "wheel", path: /hostile/ }],
    error: /^error: the download of .*hostile-1\.0-py3-none-any\.whl failed/,
  },
  {
    name: "an index that dies mid-way",
    wheel: () => Promise.resolve(big),
    faults: () => [{ type: "slow", kind: "wheel", path: /big/, trickleMs: 20, chunkSize: 16384 }],
    during: async (index) => {
      // Once the big wheel is streaming, the index goes away for good.
      while (index.counts.wheel < 2) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100));
      await index.close();
    },
    error:
      /^error: (the download of .*big-1\.0-py3-none-any\.whl failed|GET .*big-1\.0-py3-none-any\.whl failed)/,
  },
];

for (const c of cases) {
  Deno.test(`hostile input: ${c.name}`, async () => {
    const wheel = await c.wheel();
    const files: Record<string, BuiltWheel[]> = { baseline: [baseline], good: [good] };
    files[wheel.name] = [wheel];
    await using index = await startIndex({ projects: files });
    await using p = await makeProject();
    // A store that already holds something.
    await writeTestLock(p.lockPath, { default: [{ wheels: [baseline] }] }, index);
    assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
    const before = await snapshot(p.home);

    const lock = await writeTestLock(
      p.lockPath,
      { default: [{ wheels: [baseline] }, { wheels: [good] }, { wheels: [wheel] }] },
      index,
    );
    if (c.lockSha) {
      const pkg = lock.environments.default.find((x) => x.name === wheel.name)!;
      pkg.wheels[0].sha256 = c.lockSha(wheel);
      const { writeLock } = await import("../../project/lock.ts");
      await writeLock(p.lockPath, lock);
    }
    index.setFaults(c.faults?.(wheel, index) ?? []);
    const running = envknit(["install"], { cwd: p.project, env: p.env });
    await c.during?.(index);
    const r = await running;
    assertEquals(r.code, 1, r.stderr);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    assertEquals(errors.length, 1, r.stderr);
    assertMatch(errors[0], c.error);
    assert(!r.stderr.includes("internal error") && !r.stderr.includes("    at "), r.stderr);
    assertEquals(await snapshot(p.home), before, "the store is exactly as it was");
    assert(!(await exists(`${p.dir}/escaped.py`)) && !(await exists(`${p.home}/escaped.py`)));
    assert(!(await exists(`/tmp/${marker}.py`)));
  });
}

Deno.test("a download that breaks off once is retried from scratch and installs", async () => {
  await using index = await startIndex({ projects: { good: [good], big: [big] } });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [good] }, { wheels: [big] }] }, index);
  index.setFaults([
    { type: "truncate", kind: "wheel", path: /big/, times: 1 },
    { type: "reset", kind: "wheel", path: /good/, times: 1 },
  ]);
  const r = await envknit(["install"], { cwd: p.project, env: p.env });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(index.counts.faults, 2);
  const v = await envknit(["verify"], { cwd: p.project, env: p.env });
  assertEquals(v.code, 0, v.stderr + v.stdout);
});
