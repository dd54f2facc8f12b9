/**
 * Which Python a command uses: `--python`, `ENVKNIT_PYTHON`, the lock's or envknit.yaml's Python
 * version, or `python3` on `PATH`, looked up the way a shell looks up a command. Finding it only
 * stats files; running it to learn its tags is `interpreter.ts` (loaded here only when a
 * `python3` must be checked against a wanted version), so `envknit run` does not load the probe.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";

/** Environment variables, as `Deno.env.toObject()` gives them. */
export type Env = Record<string, string | undefined>;

const isWindows = Deno.build.os === "windows";

/** Whether `cmd` names a file (has a path separator) rather than a command to look up. */
export function isPathLike(cmd: string): boolean {
  return cmd.includes("/") || (isWindows && cmd.includes("\\"));
}

function absolute(path: string): string {
  if (path.startsWith("/") || (isWindows && /^[A-Za-z]:[\\/]/.test(path))) return path;
  return `${Deno.cwd()}/${path}`;
}

// The file checks below are synchronous: each is one system call of microseconds, and they run
// one after another on every command's way to its interpreter, where async round trips add up.
function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) return false;
    return isWindows || info.mode === null || (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Looks a command up like a shell does: a name with a slash is a path (made absolute against the
 * current directory); a bare name is searched in `PATH`. Returns null when nothing executable is
 * there.
 */
export function whichExecutable(
  cmd: string,
  env: Env = Deno.env.toObject(),
): string | null {
  if (isPathLike(cmd)) {
    const path = absolute(cmd);
    return isExecutableFile(path) ? path : null;
  }
  const sep = isWindows ? ";" : ":";
  const exts = isWindows ? ["", ...(env.PATHEXT ?? ".EXE;.BAT;.CMD").split(";")] : [""];
  for (const dir of (env.PATH ?? "").split(sep)) {
    if (!dir) continue;
    for (const ext of exts) {
      const path = absolute(`${dir}/${cmd}${ext}`);
      if (isExecutableFile(path)) return path;
    }
  }
  return null;
}

/** Where {@link findPython} found the interpreter. */
export type PythonSource = "flag" | "ENVKNIT_PYTHON" | "python_version" | "PATH";

/** Options of {@link findPython}. */
export interface FindPythonOptions {
  /** `--python`: a path, a command name, or a version such as `3.12`. */
  flag?: string | null;
  /** The environment (`ENVKNIT_PYTHON`, `PATH`); defaults to the process environment. */
  env?: Env;
  /** The environment's `python_version` from envknit.yaml (`3.11`). */
  pythonVersion?: string | null;
  /** Probe cache folder, as in {@link probeInterpreter} (used when a fallback must be checked). */
  cacheDir?: string | null;
}

const VERSION_REQUEST = /^(\d+)(?:\.(\d+))?$/;

/**
 * Chooses the Python to install for, in this order: `--python`, `ENVKNIT_PYTHON`, the
 * environment's `python_version` (`pythonX.Y` on PATH, else `python3` if it is that version),
 * then `python3` (or `python`) on PATH. `--python` and `ENVKNIT_PYTHON` may also be a version
 * (`3.12`), looked up the same way. Returns the absolute path and where it came from.
 *
 * @throws EnvknitError saying how to choose one when nothing suitable is found.
 */
export async function findPython(
  opts: FindPythonOptions = {},
): Promise<{ python: string; source: PythonSource }> {
  const env = opts.env ?? Deno.env.toObject();
  const named = opts.flag
    ? { value: opts.flag, source: "flag" as const, label: "--python" }
    : env.ENVKNIT_PYTHON
    ? { value: env.ENVKNIT_PYTHON, source: "ENVKNIT_PYTHON" as const, label: "ENVKNIT_PYTHON" }
    : null;
  if (named && !VERSION_REQUEST.test(named.value)) {
    const python = whichExecutable(named.value, env);
    if (python === null) {
      throw new EnvknitError(
        `${named.label} names ${named.value}, which is not an executable file${
          isPathLike(named.value) ? "" : " on PATH"
        }`,
        {
          hints: [
            "give the path of a Python interpreter, a command on PATH, or a version like 3.12",
          ],
        },
      );
    }
    return { python, source: named.source };
  }
  const wanted = named?.value ?? opts.pythonVersion ?? null;
  if (wanted !== null) {
    const source = named?.source ?? "python_version";
    const origin = named ? named.label : "python_version in envknit.yaml";
    const m = VERSION_REQUEST.exec(wanted.trim());
    if (!m) {
      throw new EnvknitError(`${origin} is ${JSON.stringify(wanted)}, not a version like 3.11`);
    }
    const command = m[2] === undefined ? `python${m[1]}` : `python${m[1]}.${m[2]}`;
    const exact = whichExecutable(command, env);
    if (exact) return { python: exact, source };
    // No pythonX.Y: the default python3 will do if it is that version.
    const fallback = whichExecutable("python3", env) ?? whichExecutable("python", env);
    let found = "";
    if (fallback) {
      const { probeInterpreter } = await import("./interpreter.ts");
      const interp = await probeInterpreter(fallback, { cacheDir: opts.cacheDir, env });
      const [major, minor] = interp.pythonVersionInfo;
      if (String(major) === m[1] && (m[2] === undefined || String(minor) === m[2])) {
        return { python: fallback, source };
      }
      found = ` and ${fallback} is Python ${major}.${minor}`;
    }
    throw new EnvknitError(
      `${origin} asks for Python ${wanted}, but ${command} is not on PATH${found}`,
      {
        hints: [
          `install Python ${wanted}, or name an interpreter with --python /path/to/${command} or ENVKNIT_PYTHON`,
          `to lock for a machine without running its Python: --python-version ${wanted} --platform <tag>`,
        ],
      },
    );
  }
  for (const command of ["python3", "python"]) {
    const python = whichExecutable(command, env);
    if (python) return { python, source: "PATH" };
  }
  throw new EnvknitError("no Python interpreter found: neither python3 nor python is on PATH", {
    hints: [
      "name one with --python /path/to/python or ENVKNIT_PYTHON",
      "or lock for a target without running Python: --python-version 3.12 --platform manylinux_2_28_x86_64",
    ],
  });
}
