/**
 * What a view of an interpreter needs to know about it (DEVELOPERS.md, "Environment views",
 * **Probe**): the file `bin/python` links to, its home, version and site-packages folder. The
 * script is the one of `runtime_py/tests/support/view_factory.py` (`PROBE`), run once as
 * `<python> -I -S -c PROBE` with a clean environment; callers keep the answer (the run plan does).
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";

/** What {@link VIEW_PROBE} prints for one interpreter (`python` is the path it was run as). */
export interface ViewProbe {
  /** The interpreter as named by the caller. */
  python: string;
  /** What the view's `bin/python*` link to: the base's real binary, or a wrapper script. */
  target: string;
  /** `home` of `pyvenv.cfg`: the folder of the base's real binary. */
  home: string;
  /** `X.Y.Z`. */
  version: string;
  /** `X.Y`. */
  xy: string;
  /** `lib/pythonX.Y[t]/site-packages`, relative to the view. */
  site_packages: string;
  /** `sys.base_prefix`: what the view's python must report as its base. */
  base_prefix: string;
  /** `sys.implementation.name`. */
  implementation: string;
}

/** The probe script (byte for byte `PROBE` of view_factory.py). */
export const VIEW_PROBE = String.raw`
import json, os, sys, sysconfig
def script(path):
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False
exe = os.path.realpath(sys.executable)
base = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
# A wrapper script that starts the interpreter with its own path as argv[0] (sys.executable is
# then the script) is what the view links; otherwise the real binary of the base interpreter.
target = exe if script(exe) else base
abi_thread = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
xy = "%d.%d" % sys.version_info[:2]
print(json.dumps({
    "target": target,
    "home": os.path.dirname(base),
    "version": "%d.%d.%d" % sys.version_info[:3],
    "xy": xy,
    "site_packages": "lib/python%s%s/site-packages" % (xy, abi_thread),
    "base_prefix": sys.base_prefix,
    "implementation": sys.implementation.name,
}))
`;

/** The variables a probe or a view check keeps: nothing that changes what Python starts as. */
export function cleanPythonEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"]) {
    const v = env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function isProbe(v: unknown): v is Omit<ViewProbe, "python"> {
  const o = v as Record<string, unknown>;
  return typeof o === "object" && o !== null &&
    ["target", "home", "version", "xy", "site_packages", "base_prefix", "implementation"].every(
      (k) => typeof o[k] === "string",
    ) && (o.target as string).startsWith("/") &&
    /^lib\/python\d+\.\d+t?\/site-packages$/.test(o.site_packages as string);
}

/**
 * Runs the probe under `python`.
 *
 * @throws EnvknitError when the interpreter cannot be run or answers something else.
 */
export async function probeForView(
  python: string,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<ViewProbe> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(python, {
      args: ["-I", "-S", "-c", VIEW_PROBE],
      env: cleanPythonEnv(env),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new EnvknitError(
      `cannot run ${python}: ${error instanceof Error ? error.message : error}`,
    );
  }
  let data: unknown = null;
  try {
    data = JSON.parse(new TextDecoder().decode(out.stdout));
  } catch {
    data = null;
  }
  if (!out.success || !isProbe(data)) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
    throw new EnvknitError(
      `${python} did not answer the view probe${why ? `: ${why}` : ""}`,
      { hints: ["is it a CPython (or compatible) interpreter?"] },
    );
  }
  return { python, ...data };
}
