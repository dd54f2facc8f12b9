// prepareRun's remembered plans: each is used only for the lock text, the choices and the
// interpreter it was made for.
import { assertEquals, assertRejects, assertStringIncludes } from "../tests/support/assert.ts";
import { buildWheel } from "../tests/support/wheel_factory.ts";
import { PYTHON } from "../tests/support/python.ts";
import { entryDir, makeProject, writeTestLock } from "../tests/e2e/install_support.ts";
import { probeInterpreter } from "../store/tags/interpreter.ts";
import { prepareRun } from "./run.ts";
import { EnvknitError } from "../core/errors.ts";

const alpha1 = await buildWheel({ name: "alpha", version: "1.0" });
const alpha2 = await buildWheel({ name: "alpha", version: "2.0" });
const beta = await buildWheel({ name: "beta", version: "1.0" });

const interp = await probeInterpreter(PYTHON, { cacheDir: null });
const target = {
  python: interp.pythonVersionInfo.slice(0, 2).join("."),
  platform: "manylinux_2_36_x86_64",
};

Deno.test("run: a remembered plan is used only for its lock text, environment and interpreter", async () => {
  await using p = await makeProject();
  for (const wheel of [alpha1, alpha2, beta]) {
    await Deno.mkdir(entryDir(p.home, wheel), { recursive: true }); // "installed"
    // run checks the marker's full sha256, not only the folder's 16 digits
    await Deno.writeTextFile(
      `${entryDir(p.home, wheel)}/.envknit-entry.json`,
      JSON.stringify({ sha256: wheel.sha256 }),
    );
  }
  // Two folders with a python3 each (the same interpreter under two paths) and no pythonX.Y:
  // the lock's Python version is found as python3, checked to be that version.
  const bins = [`${p.dir}/bin1`, `${p.dir}/bin2`];
  for (const bin of bins) {
    await Deno.mkdir(bin);
    await Deno.symlink(PYTHON, `${bin}/python3`);
  }
  const env = { ENVKNIT_HOME: p.home, PATH: bins[0] };
  const run = (options: { environment?: string; env?: Record<string, string> } = {}) =>
    prepareRun({ lockPath: p.lockPath, env, ...options });

  await writeTestLock(
    p.lockPath,
    {
      default: [{ wheels: [alpha1] }],
      other: [{ wheels: [beta] }],
    },
    null,
    target,
  );
  let firstView = "";
  for (let i = 0; i < 2; i++) { // made, then remembered
    const made = await run();
    assertEquals([made.environment, made.entries], ["default", [entryDir(p.home, alpha1)]]);
    assertEquals(made.python, `${bins[0]}/python3`);
    assertEquals(made.vars.ENVKNIT_PYTHON, `${made.view}/bin/python`);
    assertEquals(made.viewPython, `${made.view}/bin/python`);
    firstView = made.view;
    assertEquals(made.vars.VIRTUAL_ENV, made.view);
    assertEquals(made.vars.PATH, `${made.view}/bin:${bins[0]}`);
    assertEquals(made.vars.PYTHONPATH, undefined);
    assertEquals(await Deno.readLink(`${made.view}/bin/python`), await Deno.realPath(PYTHON));
  }
  // Another environment has its own plan.
  assertEquals((await run({ environment: "other" })).entries, [entryDir(p.home, beta)]);
  assertEquals((await run()).entries, [entryDir(p.home, alpha1)]);

  // Another python3 comes first on PATH: the plan remembered for the first one is not used.
  const moved = await run({ env: { ...env, PATH: `${bins[1]}:${bins[0]}` } });
  assertEquals(moved.python, `${bins[1]}/python3`);
  // The same interpreter behind it: the same view.
  assertEquals(moved.view, firstView);
  // ... and the plan made for the new one is remembered in its place.
  const plans = [];
  for await (const e of Deno.readDir(`${p.home}/cache/runs`)) {
    plans.push(JSON.parse(await Deno.readTextFile(`${p.home}/cache/runs/${e.name}`)).python);
  }
  assertEquals(plans.includes(`${bins[1]}/python3`), true);

  // A new lock text: a new plan.
  await writeTestLock(p.lockPath, { default: [{ wheels: [alpha2] }] }, null, target);
  assertEquals((await run()).entries, [entryDir(p.home, alpha2)]);
  const gone = await assertRejects(() => run({ environment: "other" }), EnvknitError);
  assertStringIncludes(gone.message, "other");

  // Unreadable plans are made again.
  for await (const e of Deno.readDir(`${p.home}/cache/runs`)) {
    await Deno.writeTextFile(`${p.home}/cache/runs/${e.name}`, "{not json");
  }
  assertEquals((await run()).entries, [entryDir(p.home, alpha2)]);

  // A plan is made only after every entry's marker named the lock's full sha256; a remembered
  // plan trusts what it checked (entries never change in place, and store gc drops every plan).
  const marker = `${entryDir(p.home, alpha2)}/.envknit-entry.json`;
  const other = alpha2.sha256.slice(0, 16) + "0".repeat(48);
  await Deno.writeTextFile(marker, JSON.stringify({ sha256: other }));
  assertEquals((await run()).entries, [entryDir(p.home, alpha2)]);
  const dropPlans = () => Deno.remove(`${p.home}/cache/runs`, { recursive: true });
  await dropPlans();
  const edited = await assertRejects(() => run(), EnvknitError);
  assertStringIncludes(edited.message, `holds the wheel with sha256 ${other}`);
  await Deno.remove(marker);
  const none = await assertRejects(() => run(), EnvknitError);
  assertStringIncludes(none.message, "has no readable .envknit-entry.json");
  await Deno.writeTextFile(marker, JSON.stringify({ sha256: alpha2.sha256 }));
  assertEquals((await run()).entries, [entryDir(p.home, alpha2)]);
});
