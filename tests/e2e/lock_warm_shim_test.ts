// A warm `envknit lock` runs no interpreter (#17.6): with `python3` a pyenv shim (or another
// launcher script) on PATH that records each run, the second lock reads the cached probe, keyed
// by what selects the shim's version; a new .python-version makes the shim point elsewhere, and
// it is probed again.
import { assertEquals } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { fakePyenv } from "../support/fake_pyenv.ts";
import { configText, lockProjectDir, runCli } from "./lock_support.ts";
import { PYTHON } from "../support/python.ts";

Deno.test("warm lock: a pyenv shim python3 is not run; a changed .python-version is noticed", async () => {
  await using index = await startIndex({
    projects: { demo: [await buildWheel({ name: "demo", version: "1.0" })] },
  });
  await using p = await lockProjectDir();
  await using pyenv = await fakePyenv();
  await p.config(configText(index.url, { default: { packages: ["demo"] } }));
  // No ENVKNIT_PYTHON: the target is python3 on PATH, the shim.
  const env: Record<string, string> = { ...p.env, PATH: `${pyenv.shims}:${p.env.PATH}` };
  delete env.ENVKNIT_PYTHON;
  const lock = (args: string[]) => runCli(args, p.project, env);

  const cold = await lock(["lock"]);
  assertEquals(cold.code, 0, cold.stderr);
  assertEquals(pyenv.runs(), 1, "the cold lock probes the shim once");
  for (let i = 0; i < 2; i++) {
    const warm = await lock(["lock"]);
    assertEquals(warm.code, 0, warm.stderr);
    assertEquals(pyenv.runs(), 1, "a warm lock runs no interpreter");
  }
  // The project now asks pyenv for another version: the shim points elsewhere.
  await pyenv.install("3.11.2", "/usr/bin/python3");
  await Deno.writeTextFile(`${p.project}/.python-version`, "3.11.2\n");
  const moved = await lock(["lock"]);
  assertEquals(moved.code, 0, moved.stderr);
  assertEquals(pyenv.runs(), 2, "the shim is probed again");
  assertEquals(await Deno.readTextFile(`${pyenv.root}/runs.log`), "3.11.7\n3.11.2\n");
  const again = await lock(["lock"]);
  assertEquals(again.code, 0, again.stderr);
  assertEquals(pyenv.runs(), 2);
});

Deno.test("warm lock: a python3 wrapper script is not run; a .python-version is noticed", async () => {
  await using index = await startIndex({
    projects: { demo: [await buildWheel({ name: "demo", version: "1.0" })] },
  });
  await using p = await lockProjectDir();
  await p.config(configText(index.url, { default: { packages: ["demo"] } }));
  const bin = `${p.dir}/bin`;
  await Deno.mkdir(bin);
  const log = `${p.dir}/runs.log`;
  await Deno.writeTextFile(
    `${bin}/python3`,
    `#!/bin/sh\necho run >> "${log}"\nexec "${PYTHON}" "$@"\n`,
    { mode: 0o755 },
  );
  const runs = () => Deno.readTextFile(log).then((t) => t.split("\n").length - 1, () => 0);
  const env: Record<string, string> = { ...p.env, PATH: `${bin}:${p.env.PATH}` };
  delete env.ENVKNIT_PYTHON;
  const lock = () => runCli(["lock"], p.project, env);
  assertEquals((await lock()).code, 0);
  assertEquals(await runs(), 1);
  assertEquals((await lock()).code, 0);
  assertEquals(await runs(), 1, "a warm lock runs no interpreter");
  await Deno.writeTextFile(`${p.project}/.python-version`, "3.11\n");
  assertEquals((await lock()).code, 0);
  assertEquals(await runs(), 2, "probed again");
});
