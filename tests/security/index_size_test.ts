// Issue #14.8: the size an index lists for a file (PEP 700 JSON `size`, recorded in the lock) is
// checked against the download, with a message saying so (it used to be swallowed, and the
// sha256 of empty input was printed instead).
import { assertEquals, assertMatch } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { makeProject } from "../e2e/install_support.ts";
import { configText } from "../e2e/lock_support.ts";
import { assertRefused, envknit } from "./support.ts";

const EMPTY_SHA256 = "e3b0c44298fc1c14";

for (const lie of ["smaller", "larger"] as const) {
  Deno.test(`install: an index listing a ${lie} size than the wheel's is refused by size`, async () => {
    const wheel = await buildWheel({
      name: "sized",
      version: "1.0",
      files: { "sized/__init__.py": "# sized\n".repeat(100) },
    });
    const listed = lie === "smaller" ? wheel.size - 100 : wheel.size + 100;
    // PEP 658 metadata: `lock` never downloads the wheel and records the listed size.
    await using index = await startIndex({
      projects: { sized: [{ ...wheel, listedSize: listed }] },
    });
    await using p = await makeProject();
    await Deno.writeTextFile(
      `${p.project}/envknit.yaml`,
      configText(index.url, { default: { packages: ["sized"] } }),
    );
    const locked = await envknit(["lock"], { cwd: p.project, env: p.env });
    assertEquals(locked.code, 0, locked.stderr);
    assertMatch(await Deno.readTextFile(`${p.project}/envknit.lock.yaml`), new RegExp(`${listed}`));
    const line = await assertRefused(
      ["install"],
      { cwd: p.project, env: p.env, home: p.home },
      lie === "smaller"
        ? new RegExp(
          `^error: size mismatch for sized-1\\.0-py3-none-any\\.whl: the lock records ${listed} bytes, the file has more`,
        )
        : new RegExp(
          `^error: size mismatch for sized-1\\.0-py3-none-any\\.whl: the lock records ${listed} bytes, the file has ${wheel.size}$`,
        ),
    );
    assertEquals(line.includes(EMPTY_SHA256), false, line);
  });
}

Deno.test("lock: a listed size the wheel's range answer contradicts is refused", async () => {
  const wheel = await buildWheel({ name: "sized", version: "1.0" });
  // No PEP 658 metadata: `lock` reads the wheel's tail, whose Content-Range tells the size.
  await using index = await startIndex({
    projects: { sized: [{ ...wheel, listedSize: wheel.size + 1 }] },
    metadataFiles: false,
  });
  await using p = await makeProject();
  await Deno.writeTextFile(
    `${p.project}/envknit.yaml`,
    configText(index.url, { default: { packages: ["sized"] } }),
  );
  const r = await envknit(["lock"], { cwd: p.project, env: p.env });
  assertEquals(r.code, 1, r.stderr);
  assertMatch(
    r.stderr,
    new RegExp(
      `^error: size mismatch for sized-1\\.0-py3-none-any\\.whl: its index page lists ${
        wheel.size + 1
      } bytes, the file has ${wheel.size}`,
      "m",
    ),
  );
});

Deno.test("fetch: a wheel of another size than the lock's is not written", async () => {
  const wheel = await buildWheel({ name: "sized", version: "1.0" });
  await using index = await startIndex({
    projects: { sized: [{ ...wheel, listedSize: wheel.size - 10 }] },
  });
  await using p = await makeProject();
  await Deno.writeTextFile(
    `${p.project}/envknit.yaml`,
    configText(index.url, { default: { packages: ["sized"] } }),
  );
  assertEquals((await envknit(["lock"], { cwd: p.project, env: p.env })).code, 0);
  const dest = `${p.dir}/wheels`;
  const r = await envknit(["fetch", "--dest", dest], { cwd: p.project, env: p.env });
  assertEquals(r.code, 1, r.stderr);
  assertMatch(r.stderr, /^error: size mismatch for sized-1\.0-py3-none-any\.whl/m);
  assertEquals(await Array.fromAsync(Deno.readDir(dest)), []);
});
