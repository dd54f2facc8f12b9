/**
 * A pyenv installation for tests: `shims/python3` exactly as pyenv writes it, and a
 * `libexec/pyenv` that picks the version as pyenv does (`PYENV_VERSION`, the nearest
 * `.python-version` from the current folder up, `$PYENV_ROOT/version`), appends a line to
 * `runs.log` each time it runs, and executes `versions/<version>/bin/python3` (links to real
 * interpreters). So a test can see whether envknit ran the shim, and re-point it.
 *
 * @module
 */
import { PYTHON } from "./python.ts";

/** A fake pyenv root; removed by `[Symbol.asyncDispose]`. */
export interface FakePyenv extends AsyncDisposable {
  /** The temporary folder holding everything. */
  dir: string;
  /** `PYENV_ROOT`. */
  root: string;
  /** `shims/`: put it first on `PATH`. */
  shims: string;
  /** `shims/python3`. */
  shim: string;
  /** How many times the shim ran an interpreter. */
  runs(): number;
  /** Makes version `name` run `python` (a real interpreter). */
  install(name: string, python: string): Promise<void>;
}

/** Creates a {@link FakePyenv} whose global version `3.11.7` runs {@link PYTHON}. */
export async function fakePyenv(): Promise<FakePyenv> {
  const dir = await Deno.makeTempDir({ prefix: "envknit-pyenv-" });
  const root = `${dir}/pyenv`;
  const shims = `${root}/shims`;
  await Deno.mkdir(shims, { recursive: true });
  await Deno.mkdir(`${root}/libexec`, { recursive: true });
  const shim = `${shims}/python3`;
  await Deno.writeTextFile(
    shim,
    `#!/usr/bin/env bash\nset -e\n[ -n "$PYENV_DEBUG" ] && set -x\n\nprogram="\${0##*/}"\n\n` +
      `export PYENV_ROOT="${root}"\nexec "${root}/libexec/pyenv" exec "$program" "$@"\n`,
    { mode: 0o755 },
  );
  await Deno.writeTextFile(
    `${root}/libexec/pyenv`,
    `#!/bin/sh
# A stand-in for pyenv: "pyenv exec PROGRAM ARGS..." runs PROGRAM of the selected version.
shift; shift
version="$PYENV_VERSION"
if [ -z "$version" ]; then
  d="$PWD"
  while :; do
    if [ -f "$d/.python-version" ]; then version="$(head -n 1 "$d/.python-version")"; break; fi
    [ "$d" = "/" ] && break
    d="$(dirname "$d")"
  done
fi
[ -n "$version" ] || version="$(head -n 1 "$PYENV_ROOT/version")"
echo "$version" >> "$PYENV_ROOT/runs.log"
exec "$PYENV_ROOT/versions/$version/bin/python3" "$@"
`,
    { mode: 0o755 },
  );
  await Deno.writeTextFile(`${root}/version`, "3.11.7\n");
  const install = async (name: string, python: string) => {
    await Deno.mkdir(`${root}/versions/${name}/bin`, { recursive: true });
    await Deno.remove(`${root}/versions/${name}/bin/python3`).catch(() => {});
    await Deno.symlink(python, `${root}/versions/${name}/bin/python3`);
  };
  await install("3.11.7", PYTHON);
  return {
    dir,
    root,
    shims,
    shim,
    install,
    runs() {
      try {
        return Deno.readTextFileSync(`${root}/runs.log`).split("\n").filter((l) => l).length;
      } catch {
        return 0;
      }
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
