import { assert, assertEquals, assertNotEquals } from "../../tests/support/assert.ts";
import { launcherInputs } from "./launcher.ts";

/** A fake pyenv root with a shim as pyenv writes it, and a project folder. */
async function fakePyenv(): Promise<{ root: string; shim: string; project: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "envknit-launcher-" });
  const root = `${dir}/pyenv`;
  await Deno.mkdir(`${root}/shims`, { recursive: true });
  await Deno.mkdir(`${root}/versions/3.11.7/bin`, { recursive: true });
  await Deno.mkdir(`${root}/versions/3.12.1/bin`, { recursive: true });
  const shim = `${root}/shims/python3`;
  await Deno.writeTextFile(
    shim,
    `#!/usr/bin/env bash\nset -e\n[ -n "$PYENV_DEBUG" ] && set -x\n\nprogram="\${0##*/}"\n\n` +
      `export PYENV_ROOT="${root}"\nexec "${root}/libexec/pyenv" exec "$program" "$@"\n`,
  );
  await Deno.chmod(shim, 0o755);
  await Deno.writeTextFile(`${root}/version`, "3.11.7\n");
  const project = `${dir}/work/project`;
  await Deno.mkdir(`${project}/sub`, { recursive: true });
  return { root, shim, project, dir };
}

Deno.test("a pyenv shim's inputs: PYENV_VERSION, the nearest .python-version, the global version", async () => {
  const { root, shim, project, dir } = await fakePyenv();
  try {
    const env = { PATH: "/usr/bin", HOME: dir };
    const global = launcherInputs(shim, env, `${project}/sub`);
    assertEquals(global?.kind, "pyenv");
    // Stable while nothing changes (and it does not depend on PATH for a named version).
    assertEquals(launcherInputs(shim, { ...env, PATH: "/other" }, `${project}/sub`), global);
    // The global version changes: another Python.
    await Deno.writeTextFile(`${root}/version`, "3.12.1\n");
    const global2 = launcherInputs(shim, env, `${project}/sub`);
    assertNotEquals(global2, global);
    // A .python-version in a parent folder decides before the global one.
    await Deno.writeTextFile(`${dir}/work/.python-version`, "3.11.7\n");
    const local = launcherInputs(shim, env, `${project}/sub`);
    assertNotEquals(local, global2);
    assertEquals(launcherInputs(shim, env, `${project}/sub`), local);
    // The global version no longer matters then.
    await Deno.writeTextFile(`${root}/version`, "3.11.7\n");
    assertEquals(launcherInputs(shim, env, `${project}/sub`), local);
    // PYENV_VERSION (pyenv shell) decides before both.
    const shell = launcherInputs(shim, { ...env, PYENV_VERSION: "3.12.1" }, `${project}/sub`);
    assertNotEquals(shell, local);
    // Another folder without the local file: the global version again.
    assertEquals(launcherInputs(shim, env, "/"), global);
    // A version installed or removed can change what a prefix means.
    const before = launcherInputs(shim, env, "/");
    await new Promise((r) => setTimeout(r, 20));
    await Deno.mkdir(`${root}/versions/3.13.0`);
    assertNotEquals(launcherInputs(shim, env, "/"), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a pyenv shim on the system version depends on PATH", async () => {
  const { root, shim, dir } = await fakePyenv();
  try {
    await Deno.writeTextFile(`${root}/version`, "system\n");
    const a = launcherInputs(shim, { PATH: "/usr/bin" }, "/");
    const b = launcherInputs(shim, { PATH: "/opt/bin:/usr/bin" }, "/");
    assert(a && b);
    assertNotEquals(a, b);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an asdf shim's inputs are its variables and .tool-versions files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "envknit-launcher-" });
  try {
    const shim = `${dir}/python3`;
    await Deno.writeTextFile(
      shim,
      `#!/usr/bin/env bash\n# asdf-plugin: python 3.11.4\nexec ${dir}/asdf/bin/asdf exec "python3" "$@"\n`,
    );
    const env = { HOME: dir, PATH: "/usr/bin" };
    const a = launcherInputs(shim, env, dir);
    assertEquals(a?.kind, "asdf");
    await Deno.writeTextFile(`${dir}/.tool-versions`, "python 3.12.1\n");
    const b = launcherInputs(shim, env, dir);
    assertNotEquals(b, a);
    assertNotEquals(launcherInputs(shim, { ...env, ASDF_PYTHON_VERSION: "3.11.4" }, dir), b);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("other scripts and binaries are not understood", async () => {
  const dir = await Deno.makeTempDir({ prefix: "envknit-launcher-" });
  try {
    await Deno.writeTextFile(`${dir}/wrapper`, '#!/bin/sh\nexec /usr/bin/python3 "$@"\n');
    assertEquals(launcherInputs(`${dir}/wrapper`, {}, dir), null);
    await Deno.writeFile(`${dir}/binary`, new Uint8Array([0x7f, 0x45, 0x4c, 0x46]));
    assertEquals(launcherInputs(`${dir}/binary`, {}, dir), null);
    assertEquals(launcherInputs(`${dir}/missing`, {}, dir), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
