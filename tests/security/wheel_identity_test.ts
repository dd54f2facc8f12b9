// Issue #14.6: install checks the wheel against the lock. A wheel whose `.dist-info` folder or
// METADATA names another project or another version than its lock entry is refused (one error
// line, exit 1, store unchanged), whether the lock came from `envknit lock` against an index that
// lies in its `.metadata`, or was written by hand.
import { assertEquals, assertMatch } from "../support/assert.ts";
import { type IndexFile, startIndex } from "../support/index_server.ts";
import { buildWheel, type BuiltWheel, metadataText } from "../support/wheel_factory.ts";
import { configText, errorLines, lockProjectDir } from "../e2e/lock_support.ts";
import { envknit, makeProject, snapshot, writeTestLock } from "../e2e/install_support.ts";

const real = await buildWheel({ name: "greeter", version: "1.0" });
const other = await buildWheel({ name: "stranger", version: "1.0" });

/** `wheel`'s bytes served as another file of project greeter, with a `.metadata` to match. */
function disguised(wheel: BuiltWheel, version: string): IndexFile & BuiltWheel {
  return {
    ...wheel,
    filename: `greeter-${version}-py3-none-any.whl`,
    name: "greeter",
    version,
    metadata: metadataText({ name: "greeter", version }),
  };
}

const cases: { name: string; file: IndexFile & BuiltWheel; error: RegExp }[] = [
  {
    name: "another version",
    file: disguised(real, "2.0"),
    error:
      /^error: greeter-2\.0-py3-none-any\.whl: its greeter-1\.0\.dist-info folder is for version "1\.0", but the lock says greeter 2\.0/,
  },
  {
    name: "another project",
    file: disguised(other, "1.0"),
    error: /^error: greeter-1\.0-py3-none-any\.whl: .*stranger-1\.0\.dist-info.*another project/,
  },
];

for (const c of cases) {
  Deno.test(`a wheel of ${c.name} than its lock entry is refused (envknit lock)`, async () => {
    await using index = await startIndex({ projects: { greeter: [c.file] } });
    await using p = await lockProjectDir();
    await p.config(configText(index.url, { default: { packages: ["greeter"] } }));
    const lock = await p.run(["lock"]);
    assertEquals(lock.code, 0, lock.stderr); // the index's .metadata vouches for it
    const before = await snapshot(p.home);
    const install = await p.run(["install"]);
    assertEquals(install.code, 1, install.stderr);
    const errors = errorLines(install.stderr);
    assertEquals(errors.length, 1, install.stderr);
    assertMatch(errors[0], c.error);
    const store = (lines: string[]) => lines.filter((l) => !l.startsWith("cache/"));
    assertEquals(store(await snapshot(p.home)), store(before));
  });

  Deno.test(`a wheel of ${c.name} than its lock entry is refused (a written lock)`, async () => {
    await using index = await startIndex({ projects: { greeter: [c.file] } });
    await using p = await makeProject();
    await writeTestLock(p.lockPath, { default: [{ wheels: [c.file] }] }, index);
    const before = await snapshot(p.home);
    const install = await envknit(["install"], { cwd: p.project, env: p.env });
    assertEquals(install.code, 1, install.stderr);
    const errors = errorLines(install.stderr);
    assertEquals(errors.length, 1, install.stderr);
    assertMatch(errors[0], c.error);
    assertEquals(await snapshot(p.home), before);
  });
}
