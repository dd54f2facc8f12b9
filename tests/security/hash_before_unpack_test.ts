// Issue #14.3: nothing of a wheel is unpacked before the whole file's size and sha256 are the
// lock's, and inflating takes bounded memory whatever a member declares.
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { type Lockfile, writeLock } from "../../project/lock.ts";
import { makeProject, writeTestLock } from "../e2e/install_support.ts";
import { envknit, errorLine, runWithPeakMemory, snapshot, writeBigWheel } from "./support.ts";

const MiB = 1024 * 1024;

/** A lock of one package `name` 1.0 whose wheel is `wheel` (url), with the given sha256/size. */
async function lockOne(
  path: string,
  name: string,
  wheel: { file: string; url: string; sha256: string; size?: number },
): Promise<void> {
  const lock: Lockfile = {
    schemaVersion: "1.1",
    lockGeneratedAt: "2026-01-01T00:00:00Z",
    resolverVersion: "envknit/test",
    configHash: "",
    target: { python: "3.11", platform: "manylinux_2_36_x86_64" },
    environments: { default: [{ name, version: "1.0", dependencies: [], wheels: [wheel] }] },
  };
  await writeLock(path, lock);
}

for (const withSize of [true, false]) {
  Deno.test(
    `a download swapped for a zip bomb is refused before unpacking (lock ${
      withSize ? "with" : "without"
    } a size)`,
    async () => {
      await using p = await makeProject();
      const honest = await buildWheel({ name: "swapped", version: "1.0" });
      // Same file name, 512 MiB of zeros inside a file of about half a MiB.
      const bomb = await writeBigWheel(p.dir, "swapped", "1.0", 512 * MiB);
      await using index = await startIndex({
        projects: { swapped: [{ filename: bomb.filename, bytes: await Deno.readFile(bomb.path) }] },
      });
      // A store that already holds something.
      const baseline = await buildWheel({ name: "baseline", version: "1.0" });
      index.addFile("baseline", baseline);
      await writeTestLock(p.lockPath, { default: [{ wheels: [baseline] }] }, index);
      assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
      const before = await snapshot(p.home);

      await lockOne(p.lockPath, "swapped", {
        file: honest.filename,
        url: index.fileUrl("swapped", honest.filename),
        sha256: honest.sha256,
        ...(withSize ? { size: honest.size } : {}),
      });
      const r = await runWithPeakMemory(["install"], { cwd: p.project, env: p.env });
      const line = errorLine(r);
      assertMatch(
        line,
        withSize
          ? /^error: size mismatch for swapped-1\.0-py3-none-any\.whl: the lock records \d+ bytes, the file has more/
          : /^error: sha256 mismatch for swapped-1\.0-py3-none-any\.whl: the lock has [0-9a-f]{64}, the file has [0-9a-f]{64}$/,
      );
      assertEquals(await snapshot(p.home), before, "the store is exactly as it was");
      // Unpacking the bomb would take 512 MiB; receiving it takes a few.
      assert(r.peakBytes < 300 * MiB, `peak memory ${Math.round(r.peakBytes / MiB)} MiB`);
    },
  );
}

Deno.test("a cached wheel that no longer has its hash is refused before unpacking", async () => {
  await using p = await makeProject();
  const honest = await buildWheel({ name: "cachedwheel", version: "1.0" });
  const bomb = await writeBigWheel(p.dir, "cachedwheel", "1.0", 256 * MiB);
  await using index = await startIndex({ projects: { cachedwheel: [honest] } });
  await writeTestLock(p.lockPath, { default: [{ wheels: [honest] }] }, index);
  // The cache holds the wheel under the honest hash, but its bytes were replaced.
  const cached = `${p.home}/cache/wheels/${honest.sha256}.whl`;
  await Deno.mkdir(`${p.home}/cache/wheels`, { recursive: true });
  await Deno.copyFile(bomb.path, cached);
  const before = await snapshot(p.home);
  const r = await runWithPeakMemory(["install"], { cwd: p.project, env: p.env });
  assertMatch(errorLine(r), /^error: size mismatch for cachedwheel-1\.0-py3-none-any\.whl/);
  assertEquals(await snapshot(p.home), before, "the store is exactly as it was");
  assert(r.peakBytes < 200 * MiB, `peak memory ${Math.round(r.peakBytes / MiB)} MiB`);
});

Deno.test("an honest wheel with a 1 GiB member installs with bounded memory", async () => {
  await using p = await makeProject();
  const big = await writeBigWheel(p.dir, "hugemember", "1.0", 1024 * MiB);
  await using index = await startIndex({
    projects: { hugemember: [{ filename: big.filename, bytes: await Deno.readFile(big.path) }] },
  });
  await lockOne(p.lockPath, "hugemember", {
    file: big.filename,
    url: index.fileUrl("hugemember", big.filename),
    sha256: big.sha256,
    size: big.size,
  });
  const r = await runWithPeakMemory(["install"], { cwd: p.project, env: p.env });
  assertEquals(r.code, 0, r.stderr);
  const entry = `${p.home}/packages/hugemember/1.0/${big.sha256.slice(0, 16)}`;
  assertEquals((await Deno.stat(`${entry}/hugemember/big.bin`)).size, 1024 * MiB);
  assert(r.peakBytes < 400 * MiB, `peak memory ${Math.round(r.peakBytes / MiB)} MiB`);
  const v = await envknit(["verify"], { cwd: p.project, env: p.env });
  assertEquals(v.code, 0, v.stderr + v.stdout);
});

Deno.test("lock: a wheel whose METADATA is a zip bomb is refused before inflating it", async () => {
  // At lock time the wheel is not pinned yet: its METADATA is read from the index's bytes.
  const { writeZip } = await import("../support/zip_writer.ts");
  const text = "Metadata-Version: 2.1\nName: bombmeta\nVersion: 1.0\n" + " ".repeat(100 * MiB);
  const bytes = await writeZip([
    { name: "bombmeta/__init__.py", data: "" },
    { name: "bombmeta-1.0.dist-info/METADATA", data: text },
  ]);
  const filename = "bombmeta-1.0-py3-none-any.whl";
  await using index = await startIndex({
    projects: { bombmeta: [{ filename, bytes }] },
    metadataFiles: false,
  });
  await using p = await makeProject();
  const { configText } = await import("../e2e/lock_support.ts");
  await Deno.writeTextFile(
    `${p.project}/envknit.yaml`,
    configText(index.url, { default: { packages: ["bombmeta"] } }),
  );
  const r = await runWithPeakMemory(["lock"], { cwd: p.project, env: p.env });
  assertMatch(
    errorLine(r),
    /^error: .*bombmeta-1\.0\.dist-info\/METADATA declares \d+ bytes \(the limit is 67108864\)/,
  );
  assert(r.peakBytes < 300 * MiB, `peak memory ${Math.round(r.peakBytes / MiB)} MiB`);
});
