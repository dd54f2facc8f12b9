// ops/selection.ts on a multi-target lock (runtime_py/tests/fixtures/targets.lock.yaml: Python
// 3.11 on Linux and 3.12 on Windows; numpy per Python, colorama for Windows only).
import { assertEquals, assertRejects, assertStringIncludes } from "../tests/support/assert.ts";
import { EnvknitError } from "../core/errors.ts";
import { parseLock } from "../project/lock.ts";
import { interpreterFromTarget } from "../store/tags/target.ts";
import { lockTargets, machinePackages, machineWheels, targetWheels } from "./selection.ts";

const FIXTURE = new URL("../runtime_py/tests/fixtures/targets.lock.yaml", import.meta.url);
const lock = await parseLock(await Deno.readTextFile(FIXTURE), "targets.lock.yaml");

function machine(pythonVersion: string, platform: string) {
  const interp = interpreterFromTarget({ pythonVersion, platform });
  let asked = 0;
  return {
    interpreter: () => (asked++, Promise.resolve(interp)),
    asked: () => asked,
  };
}

const names = (packages: { name: string; version: string }[]) =>
  packages.map((p) => `${p.name} ${p.version}`);

Deno.test("selection: the entries whose marker holds for the machine, with the wheel that fits", async () => {
  const linux = machine("3.11", "manylinux_2_36_x86_64");
  assertEquals(names(await machinePackages(lock, {}, linux)), ["click 8.1.7", "numpy 2.0.2"]);
  const windows = machine("3.12", "win_amd64");
  assertEquals(
    (await machineWheels(lock, {}, windows)).map((c) => c.wheel.wheel.file),
    [
      "click-8.1.7-py3-none-any.whl",
      "colorama-0.4.6-py2.py3-none-any.whl",
      "numpy-2.1.3-cp312-cp312-win_amd64.whl",
    ],
  );
  // A lock without markers is read without asking the interpreter.
  const plain = {
    ...lock,
    targets: undefined,
    environments: { default: [lock.environments.default[0]] },
  };
  const quiet = machine("3.11", "manylinux_2_36_x86_64");
  assertEquals(names(await machinePackages(plain, {}, quiet)), ["click 8.1.7"]);
  assertEquals(quiet.asked(), 0);
});

Deno.test("selection: a machine that is none of the targets, or a broken marker, is one error", async () => {
  const mac = machine("3.13", "macosx_14_0_arm64");
  const e = await assertRejects(() => machinePackages(lock, {}, mac), EnvknitError);
  assertStringIncludes(e.message, "this machine (CPython 3.13 on macosx_14_0_arm64) is none of");
  assertStringIncludes(e.message, "Python 3.11 on manylinux_2_36_x86_64; Python 3.12 on win_amd64");
  const broken = structuredClone(lock);
  broken.environments.default[1].marker = 'sys_platform === "win32"';
  await assertRejects(
    () => machinePackages(broken, {}, machine("3.12", "win_amd64")),
    EnvknitError,
    "environments.default[1] (colorama).marker",
  );
  await assertRejects(
    () => machinePackages(lock, { environments: ["nope"] }, mac),
    EnvknitError,
    'no environment named "nope"',
  );
});

Deno.test("selection: each listed target's entries and wheels, without running its Python", async () => {
  assertEquals(lockTargets(lock).map((t) => t.python), ["3.11", "3.12"]);
  assertEquals(
    (await targetWheels(lock, {}, 0)).map((c) => c.wheel.wheel.file),
    ["click-8.1.7-py3-none-any.whl", "numpy-2.0.2-cp311-cp311-manylinux_2_17_x86_64.whl"],
  );
  assertEquals((await targetWheels(lock, {}, 1)).length, 3);
  // An entry with no wheel for a target: the error names the target and the package.
  const bare = structuredClone(lock);
  bare.environments.default[3].wheels = [];
  await assertRejects(
    () => targetWheels(bare, {}, 1),
    EnvknitError,
    "target 2 (Python 3.12 on win_amd64): no wheel in the lock suits CPython 3.12 on win_amd64: numpy 2.1.3",
  );
});
