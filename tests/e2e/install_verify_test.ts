// `envknit verify` rehashes the installed files and lists every changed, missing or extra one
// (bytecode caches Python writes itself are not extra); exit 1 when anything differs.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { entryDir, envknit, exists, makeProject, writeTestLock } from "./install_support.ts";

const one = await buildWheel({
  name: "one",
  version: "1.0",
  files: { "one/__init__.py": "A = 1\n", "one/util.py": "B = 2\n" },
  entryPoints: { console_scripts: { one: "one:main" } },
});
const two = await buildWheel({ name: "two", version: "1.0" });
const three = await buildWheel({ name: "three", version: "1.0" });

Deno.test("verify: intact, then changed, missing and extra files, and absent packages", async () => {
  await using index = await startIndex({ projects: { one: [one], two: [two], three: [three] } });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [one] }, { wheels: [two] }] }, index);
  assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
  // Importing writes __pycache__ into the entry: that is not a difference.
  const { PYTHONDONTWRITEBYTECODE: _, ...writing } = p.env;
  const imp = await envknit(["run", "--", "python", "-c", "import one.util"], {
    cwd: p.project,
    env: writing,
  });
  assertEquals(imp.code, 0, imp.stderr);
  assert(await exists(`${entryDir(p.home, one)}/one/__pycache__`));
  const ok = await envknit(["verify"], { cwd: p.project, env: p.env });
  assertEquals(ok.code, 0, ok.stdout + ok.stderr);
  assertStringIncludes(ok.stderr, "in 2 entries: all intact");

  const dir = entryDir(p.home, one);
  await Deno.writeTextFile(`${dir}/one/__init__.py`, "A = 'tampered'\n");
  await Deno.remove(`${dir}/one/util.py`);
  await Deno.writeTextFile(`${dir}/one/planted.py`, "evil = True\n");
  await Deno.writeTextFile(`${dir}/bin/one`, "#!/bin/sh\necho replaced\n");
  await writeTestLock(p.lockPath, {
    default: [{ wheels: [one] }, { wheels: [two] }, { wheels: [three] }],
  }, index);
  const bad = await envknit(["verify"], { cwd: p.project, env: p.env });
  assertEquals(bad.code, 1);
  assertEquals(bad.stdout.trim().split("\n").sort(), [
    "absent   three 1.0 (not installed)",
    "changed  one 1.0: bin/one",
    "changed  one 1.0: one/__init__.py",
    "extra    one 1.0: one/planted.py",
    "missing  one 1.0: one/util.py",
  ]);
  assertEquals(bad.stderr.split("\n").filter((l) => l.startsWith("error:")), [
    "error: 5 problems in 2 entries",
  ]);
  const json = JSON.parse(
    (await envknit(["verify", "--json"], { cwd: p.project, env: p.env })).stdout,
  );
  assertEquals(json.problems.length, 5);
  // --env narrows what is checked.
  await writeTestLock(
    p.lockPath,
    { default: [{ wheels: [one] }], other: [{ wheels: [two] }] },
    index,
  );
  const other = await envknit(["verify", "--env", "other"], { cwd: p.project, env: p.env });
  assertEquals(other.code, 0, other.stdout);
});
