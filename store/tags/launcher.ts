/**
 * Launcher scripts (pyenv and asdf shims) read without running them.
 *
 * `python3` on PATH is often a shim: a shell script that picks a Python from the environment and
 * the current folder on every run, and costs a shell plus the version manager's own start-up
 * (about 130 ms for pyenv) before Python even starts. Its probe used to be run every time, since
 * what it ran once says nothing about the next run. But what it runs is decided by a few inputs a
 * version manager documents: for pyenv, `PYENV_VERSION`, else the first `.python-version` from
 * the current folder (or `PYENV_DIR`) up, else `$PYENV_ROOT/version`, among the versions
 * installed in `$PYENV_ROOT/versions` (and `PATH` for the `system` version); for asdf, its
 * `ASDF_*` variables and the `.tool-versions` files from the current folder up and in `$HOME`.
 * {@link launcherInputs} reads those inputs (a few stats and small reads, no process) into a
 * fingerprint; the probe cache keys a shim's answer on it, so a shim that now points elsewhere
 * (another version file, `pyenv shell`, a version installed or removed) is probed again, and an
 * unchanged one is not run at all. Other scripts (a wrapper that execs an interpreter) are not
 * understood; {@link scriptInputs} gives a conservative fingerprint for them: their text, the
 * variables they name, `PATH`, and the nearest `.python-version` and `.tool-versions`.
 *
 * @module
 */
import type { Env } from "./find_python.ts";

/** What decides which Python a launcher script runs. */
export interface LauncherInputs {
  /** The version manager: `pyenv` or `asdf`; `script` for another launcher script. */
  kind: "pyenv" | "asdf" | "script";
  /** Every input, as one string: equal strings mean the script runs the same Python. */
  fingerprint: string;
}

/** The most of a script read to recognise it (shims are a few hundred bytes). */
const HEAD = 4096;

function readHead(path: string): string | null {
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(path);
    const buf = new Uint8Array(HEAD);
    const n = file.readSync(buf) ?? 0;
    return new TextDecoder().decode(buf.subarray(0, n));
  } catch {
    return null;
  } finally {
    file?.close();
  }
}

function readText(path: string): string | null {
  try {
    const info = Deno.statSync(path);
    if (!info.isFile || info.size > 65536) return info.isFile ? `size ${info.size}` : null;
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

function mtime(path: string): number | null {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? 0;
  } catch {
    return null;
  }
}

/** `dir` and its parents, nearest first. */
function upward(dir: string): string[] {
  const out: string[] = [];
  let d = dir.replace(/\/+$/, "") || "/";
  for (;;) {
    out.push(d);
    if (d === "/") return out;
    d = d.slice(0, d.lastIndexOf("/")) || "/";
  }
}

/** The first file named `name` in `dir` or a parent: its path and text. */
function nearest(dir: string, name: string): [string, string] | null {
  for (const d of upward(dir)) {
    const path = `${d === "/" ? "" : d}/${name}`;
    const text = readText(path);
    if (text !== null) return [path, text];
  }
  return null;
}

function pyenvInputs(script: string, env: Env, cwd: string): LauncherInputs | null {
  const exec = /exec\s+"?([^"\s]*?)\/libexec\/pyenv"?\s+exec\b/.exec(script);
  if (!exec) return null;
  const root = /export\s+PYENV_ROOT="([^"]*)"/.exec(script)?.[1] ?? exec[1];
  const version = env.PYENV_VERSION ? { from: "PYENV_VERSION", text: env.PYENV_VERSION } : (() => {
    const local = nearest(env.PYENV_DIR || cwd, ".python-version");
    if (local) return { from: local[0], text: local[1] };
    return { from: `${root}/version`, text: readText(`${root}/version`) };
  })();
  const names = (version.text ?? "").split(/\s+/).filter((w) => w && !w.startsWith("#"));
  const system = names.length === 0 || names.includes("system");
  return {
    kind: "pyenv",
    fingerprint: JSON.stringify({
      root,
      version,
      versions: mtime(`${root}/versions`),
      hooks: env.PYENV_HOOK_PATH ?? null,
      path: system ? env.PATH ?? null : null,
    }),
  };
}

function asdfInputs(script: string, env: Env, cwd: string): LauncherInputs | null {
  if (!/\basdf"?\s+exec\b/.test(script)) return null;
  const home = env.HOME ?? "";
  const filename = env.ASDF_DEFAULT_TOOL_VERSIONS_FILENAME || ".tool-versions";
  const files = upward(cwd).map((d) => `${d === "/" ? "" : d}/${filename}`);
  if (home) files.push(`${home}/${filename}`);
  const data = env.ASDF_DATA_DIR || `${home}/.asdf`;
  const vars = Object.keys(env).filter((k) => k.startsWith("ASDF_")).sort();
  return {
    kind: "asdf",
    fingerprint: JSON.stringify({
      vars: vars.map((k) => [k, env[k]]),
      files: files.flatMap((f) => {
        const text = readText(f);
        return text === null ? [] : [[f, text]];
      }),
      installs: mtime(`${data}/installs/python`),
      path: env.PATH ?? null,
    }),
  };
}

/**
 * What decides which Python the launcher script at `path` runs, read without running it; null
 * when the file is not a pyenv or asdf shim (then nothing is known without running it).
 * `cwd` is the folder the script would run in.
 */
export function launcherInputs(
  path: string,
  env: Env,
  cwd: string = Deno.cwd(),
): LauncherInputs | null {
  const script = readHead(path);
  if (script === null || !script.startsWith("#!")) return null;
  return pyenvInputs(script, env, cwd) ?? asdfInputs(script, env, cwd);
}

/**
 * A fingerprint of a launcher script that is not a pyenv or asdf shim (a wrapper that execs an
 * interpreter), read without running it, conservatively: its text (its first 4 KiB; the probe
 * cache keys on its size and mtime too), the values of the environment variables it names,
 * `PATH`, and the nearest `.python-version` and `.tool-versions` from `cwd` up (the files version
 * managers read). Null when `path` is not a script. A wrapper choosing its interpreter from
 * anything else (a file it reads, the clock) can be stale in the probe cache: the cache also
 * checks the binary it ran, and `envknit lock --python` names another.
 */
export function scriptInputs(
  path: string,
  env: Env,
  cwd: string = Deno.cwd(),
): LauncherInputs | null {
  const script = readHead(path);
  if (script === null || !script.startsWith("#!")) return null;
  const names = [
    ...new Set([...script.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1])),
  ]
    .sort();
  return {
    kind: "script",
    fingerprint: JSON.stringify({
      script,
      vars: names.map((k) => [k, env[k] ?? null]),
      path: env.PATH ?? null,
      files: [".python-version", ".tool-versions"].map((f) => nearest(cwd, f)),
    }),
  };
}
