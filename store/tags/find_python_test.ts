import { EnvknitError } from "../../core/errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../../tests/support/assert.ts";
import { findPython, whichExecutable } from "./find_python.ts";
import { probeInterpreter } from "./interpreter.ts";
import { PYTHON } from "../../tests/support/python.ts";

Deno.test("findPython: --python, then ENVKNIT_PYTHON, then python_version, then python3", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const python = PYTHON; // the real file (python3 may be a pyenv shim)
    const interp = await probeInterpreter(python, { cacheDir: `${dir}/cache` });
    const [major, minor] = interp.pythonVersionInfo;
    const bin = `${dir}/bin`;
    await Deno.mkdir(bin);
    await Deno.symlink(python, `${bin}/python3`);
    // Never run: findPython only looks these up.
    await Deno.writeTextFile(`${bin}/python3.42`, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    await Deno.writeTextFile(`${bin}/other`, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const env = { PATH: bin };
    const opts = { cacheDir: `${dir}/cache` };

    assertEquals(await findPython({ ...opts, env, flag: `${bin}/other`, pythonVersion: "3.42" }), {
      python: `${bin}/other`,
      source: "flag",
    });
    assertEquals(await findPython({ ...opts, env, flag: "3.42" }), {
      python: `${bin}/python3.42`,
      source: "flag",
    });
    assertEquals(
      await findPython({
        ...opts,
        env: { ...env, ENVKNIT_PYTHON: "other" },
        pythonVersion: "3.42",
      }),
      { python: `${bin}/other`, source: "ENVKNIT_PYTHON" },
    );
    assertEquals(await findPython({ ...opts, env, pythonVersion: "3.42" }), {
      python: `${bin}/python3.42`,
      source: "python_version",
    });
    // No python3.X on PATH, but python3 is that version.
    assertEquals(await findPython({ ...opts, env, pythonVersion: `${major}.${minor}` }), {
      python: `${bin}/python3`,
      source: "python_version",
    });
    assertEquals(await findPython({ ...opts, env }), { python: `${bin}/python3`, source: "PATH" });

    let e = await assertRejects(
      () => findPython({ ...opts, env, pythonVersion: "3.99" }),
      EnvknitError,
    );
    assertStringIncludes(e.message, "Python 3.99");
    assertStringIncludes(e.message, "python3.99 is not on PATH");
    assertStringIncludes(e.message, `is Python ${major}.${minor}`);
    assert(e.hints.some((h) => h.includes("--python") && h.includes("ENVKNIT_PYTHON")));

    e = await assertRejects(() => findPython({ ...opts, env, flag: "nonesuch" }), EnvknitError);
    assertStringIncludes(e.message, "--python names nonesuch");

    e = await assertRejects(
      () => findPython({ ...opts, env: { PATH: `${dir}/empty` } }),
      EnvknitError,
    );
    assertStringIncludes(e.message, "no Python interpreter found");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("whichExecutable searches PATH in order and resolves relative paths", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/a`);
    await Deno.mkdir(`${dir}/b`);
    await Deno.writeTextFile(`${dir}/a/tool`, "x", { mode: 0o644 }); // not executable: skipped
    await Deno.writeTextFile(`${dir}/b/tool`, "#!/bin/sh\n", { mode: 0o755 });
    assertEquals(whichExecutable("tool", { PATH: `${dir}/a:${dir}/b` }), `${dir}/b/tool`);
    assertEquals(whichExecutable("tool", { PATH: `${dir}/a` }), null);
    assertEquals(whichExecutable(`${dir}/b/tool`, {}), `${dir}/b/tool`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
