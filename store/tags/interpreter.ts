/**
 * The target interpreter: what envknit installs wheels for. Either probed (the real Python is run
 * once, its answer cached) or synthetic (`interpreterFromTarget` in `target.ts`, for locking for
 * another machine).
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { cacheDir as storeCacheDir } from "../home.ts";
import { PROBE_SCRIPT, PROBE_VERSION } from "./probe_script.ts";
import { cpythonAbis, genericAbis } from "./tags.ts";
import {
  type ElfAbi,
  linuxPlatforms,
  macArch,
  macPlatforms,
  normalizePlatform,
  type VersionPair,
} from "./platforms.ts";
// Type-only: the declaration lives beside the marker evaluator; nothing of the resolver (nor its
// WebAssembly module) is loaded or even fetched by importing this file.
import type { MarkerEnvironment } from "../../resolver/pep.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { writeFileQuietly } from "../../core/atomic_write.ts";
import { type Env, isPathLike, whichExecutable } from "./find_python.ts";
import { launcherInputs, scriptInputs } from "./launcher.ts";

/** The PEP 508 marker environment (declared in `resolver/pep.ts`), re-exported for `store/tags`. */
export type { MarkerEnvironment };

/** Everything envknit needs to know about the interpreter it installs for. */
export interface Interpreter {
  /** `probe`: a real interpreter was asked; `target`: described by `--python-version/--platform`. */
  source: "probe" | "target";
  /** `sys.executable` of a probed interpreter; null for a target. */
  executable: string | null;
  /** `sys.implementation.name`: `cpython`, `pypy`, `graalpy`, … */
  implementation: string;
  /** The interpreter's short tag name: `cp`, `pp`, or the implementation name. */
  interpreterName: string;
  /** The tag version of the interpreter (`py_version_nodot`): `311`. */
  interpreterVersion: string;
  /** `sys.version_info[:3]`: the Python language version. */
  pythonVersionInfo: [number, number, number];
  /** The full Python version (`python_full_version`): `3.11.7`, `3.13.0rc1`. */
  pythonVersion: string;
  /** `sys.abiflags` (`""`, `"t"`, `"d"`, `"m"` …). */
  abiflags: string;
  /** `SOABI` (`cpython-311-x86_64-linux-gnu`), when known. */
  soabi: string | null;
  /** `EXT_SUFFIX` (`.cpython-311-x86_64-linux-gnu.so`), when known. */
  extSuffix: string | null;
  /** ABI tags of the interpreter itself, best first (`cp311`; `cp313t`; `pypy310_pp73`). */
  abis: string[];
  /**
   * Platform tags the machine supports, most specific first. `platforms[0]` names the machine
   * in lock files and messages (`manylinux_2_36_x86_64`, `macosx_14_0_arm64`, `win_amd64`).
   */
  platforms: string[];
  /** `sysconfig.get_platform()` for a probe (`linux-x86_64`); the platform tag for a target. */
  platform: string;
  /** `platform.machine()` (`x86_64`, `arm64`, `AMD64`). */
  machine: string;
  /** The C library of a Linux machine, when known. */
  libc: { kind: "glibc" | "musl"; version: string } | null;
  /** Pointer size of the interpreter (32 for a 32-bit Python on a 64-bit kernel). */
  pointerBits: 32 | 64;
  /** True for a free-threaded (`Py_GIL_DISABLED`) build. */
  freeThreaded: boolean;
  /** The PEP 508 marker environment. */
  markers: MarkerEnvironment;
}

/** The raw JSON the probe script prints (see `probe_script.ts`). */
export interface ProbeFacts {
  probe_version: number | null;
  executable: string;
  prefix: string;
  base_prefix: string;
  version_info: [number, number, number, string, number];
  implementation_name: string;
  implementation_version: string;
  py_version_nodot: string | number | null;
  abiflags: string;
  soabi: string | null;
  ext_suffix: string | null;
  extension_suffixes: string[];
  py_debug: number | string | null;
  has_totalrefcount: boolean;
  gil_disabled: boolean;
  with_pymalloc: number | string | null;
  unicode_size: number | string | null;
  maxunicode: number;
  platform: string;
  system: string;
  machine: string;
  pointer_bits: number;
  emscripten_platform_version: string | number | null;
  glibc: string | null;
  musl: string | null;
  elf: {
    bits: 32 | 64;
    little_endian: boolean;
    machine: number;
    flags: number;
    interpreter: string | null;
  } | null;
  mac_version: string | null;
  mac_machine: string | null;
  markers: MarkerEnvironment;
}

const SHORT_NAMES: Record<string, string> = {
  python: "py",
  cpython: "cp",
  pypy: "pp",
  ironpython: "ip",
  jython: "jy",
};

/** `major.minor` at the start of a version string (`2.20-2014.11` → [2, 20]), else null. */
export function parseVersionPair(text: string | null): VersionPair | null {
  const m = /^(\d+)\.(\d+)/.exec(text ?? "");
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function intOrNull(value: number | string | null): number | null {
  if (value === null || value === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Platform tags of a probed machine, as `packaging.tags.platform_tags()` computes them there. */
function probedPlatforms(f: ProbeFacts): string[] {
  const is32 = f.pointer_bits === 32;
  if (f.system === "Darwin" && f.mac_version) {
    const version = parseVersionPair(f.mac_version) ?? [Number(f.mac_version), 0];
    return macPlatforms(version, macArch(f.mac_machine || f.machine, is32));
  }
  let plat = normalizePlatform(f.platform);
  if (f.system === "Linux" && plat.startsWith("linux_")) {
    // A 32-bit interpreter on a 64-bit kernel loads 32-bit wheels.
    if (is32 && plat === "linux_x86_64") plat = "linux_i686";
    else if (is32 && plat === "linux_aarch64") plat = "linux_armv8l";
    const elf: ElfAbi | null = f.elf
      ? {
        bits: f.elf.bits,
        littleEndian: f.elf.little_endian,
        machine: f.elf.machine,
        flags: f.elf.flags,
      }
      // packaging reads sys.executable's header; an unreadable one fails its ABI check.
      : { bits: 64, littleEndian: true, machine: 0, flags: 0 };
    return linuxPlatforms(plat.slice("linux_".length), {
      glibc: parseVersionPair(f.glibc),
      musl: parseVersionPair(f.musl),
      elf,
    });
  }
  if (f.system === "Emscripten" && f.emscripten_platform_version) {
    return [`pyemscripten_${f.emscripten_platform_version}_wasm32`, plat];
  }
  return [plat];
}

/** Builds an {@link Interpreter} from the probe's raw facts. */
export function interpreterFromFacts(f: ProbeFacts): Interpreter {
  const [major, minor, micro] = f.version_info;
  const version: [number, number] = [major, minor];
  const interpreterName = SHORT_NAMES[f.implementation_name] ?? f.implementation_name;
  const nodot = f.py_version_nodot ? String(f.py_version_nodot) : `${major}${minor}`;
  const cpFacts = {
    pyDebug: intOrNull(f.py_debug),
    hasTotalRefcount: f.has_totalrefcount,
    hasDebugPyd: f.extension_suffixes.includes("_d.pyd"),
    gilDisabled: f.gil_disabled,
    withPymalloc: intOrNull(f.with_pymalloc),
    unicodeSize: intOrNull(f.unicode_size),
    maxUnicode: f.maxunicode,
  };
  const abis = interpreterName === "cp"
    ? cpythonAbis(version, cpFacts)
    : genericAbis(f.ext_suffix, () => cpythonAbis(version, cpFacts));
  let libc: Interpreter["libc"] = null;
  if (f.musl) libc = { kind: "musl", version: f.musl };
  else if (f.glibc) libc = { kind: "glibc", version: f.glibc };
  return {
    source: "probe",
    executable: f.executable,
    implementation: f.implementation_name,
    interpreterName,
    interpreterVersion: nodot,
    pythonVersionInfo: [major, minor, micro],
    pythonVersion: f.markers.python_full_version,
    abiflags: f.abiflags,
    soabi: f.soabi,
    extSuffix: f.ext_suffix,
    abis,
    platforms: probedPlatforms(f),
    platform: f.platform,
    machine: f.machine,
    libc,
    pointerBits: f.pointer_bits === 32 ? 32 : 64,
    freeThreaded: f.gil_disabled,
    markers: { ...f.markers },
  };
}

// ---------------------------------------------------------------------------------------------
// Running an interpreter

/** Options of {@link probeInterpreter}. */
export interface ProbeOptions {
  /**
   * Folder of the probe cache (`<cacheDir>/interpreters/<key>.json`); `undefined` means
   * `$ENVKNIT_HOME/cache` (`store/home.ts`), `null` disables the cache.
   */
  cacheDir?: string | null;
  /** Environment for `PATH` and `ENVKNIT_HOME`; defaults to the process environment. */
  env?: Env;
  /** Milliseconds the interpreter may take to answer (default 30 000). */
  timeoutMs?: number;
  /** The folder the interpreter runs in (a pyenv or asdf shim reads it); default the process's. */
  cwd?: string;
}

/**
 * The cache key of an interpreter: its absolute path plus the size and modification time of the
 * file it runs (a symlink is followed), and the probe script's version. A reinstalled or upgraded
 * Python changes size or mtime, so it is probed afresh.
 */
export async function interpreterCacheKey(
  path: string,
  stat: { size: number; mtime: Date | null },
): Promise<string> {
  const mtime = stat.mtime?.getTime() ?? 0;
  return (await sha256Hex(`envknit-probe-${PROBE_VERSION}\0${path}\0${stat.size}\0${mtime}`))
    .slice(0, 32);
}

// A launcher script (a pyenv or asdf shim, a wrapper) picks its interpreter from the environment
// and the current directory on every run, so what it ran once says nothing about the next run by
// itself: a pyenv or asdf shim is cached under what decides its choice (`launcher.ts`, read
// without running it), another script under a conservative fingerprint (its text, the variables
// it names, PATH, the nearest version files), and either is checked against the real binary it
// ran (path, size, mtime).
function isScript(path: string): boolean {
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(path);
    const head = new Uint8Array(2);
    const n = file.readSync(head);
    return n === 2 && head[0] === 0x23 && head[1] === 0x21; // "#!"
  } catch {
    return false;
  } finally {
    file?.close();
  }
}

const inFlight = new Map<string, Promise<Interpreter>>();

/**
 * Asks the Python at `python` (a path, or a command looked up in `PATH`) what it is: version,
 * implementation, ABI, platform, libc and marker environment. It is run once with `-I -S` and a
 * stdlib-only script; the answer is cached under `<cacheDir>/interpreters/` keyed by the
 * executable's path, size and mtime, so a later probe of the same file costs a stat and a read.
 * A launcher script (`#!`, such as a pyenv shim) may pick another Python on each run: its answer
 * is cached under what decides that choice too (`launcher.ts`, read without running it), and used
 * only while the binary it ran is unchanged.
 *
 * @throws EnvknitError when the interpreter is missing, cannot run, or answers nonsense.
 */
export async function probeInterpreter(
  python: string,
  opts: ProbeOptions = {},
): Promise<Interpreter> {
  const { path, file, launcher } = await probeCacheFile(python, opts);
  // Concurrent probes of the same interpreter share one run; later ones read the cache file.
  let pending = file ? inFlight.get(file) : undefined;
  if (!pending) {
    pending = probeOrRead(path, file, opts.timeoutMs ?? 30_000, launcher, opts.cwd);
    if (file) {
      const key = file;
      inFlight.set(key, pending);
      pending.finally(() => inFlight.delete(key)).catch(() => {});
    }
  }
  return pending;
}

/**
 * What the probe cache holds for `python` now, without running anything or computing tags: the
 * facts a {@link probeInterpreter} would return from its cache, or null when it would have to
 * run the interpreter (never probed, changed since, or not cacheable). A cheap identity of the
 * interpreter for caches of results computed for it.
 *
 * @throws EnvknitError when the interpreter is missing.
 */
export async function cachedProbeFacts(
  python: string,
  opts: ProbeOptions = {},
): Promise<ProbeFacts | null> {
  const { path, file, launcher } = await probeCacheFile(python, opts);
  return file ? readCache(file, path, launcher) : null;
}

/** Where the probe of `python` is cached (null: not cacheable), and what runs. */
async function probeCacheFile(
  python: string,
  opts: ProbeOptions,
): Promise<{ path: string; file: string | null; launcher: boolean }> {
  const env = opts.env ?? Deno.env.toObject();
  const path = whichExecutable(python, env);
  if (path === null) {
    throw new EnvknitError(
      isPathLike(python)
        ? `no Python interpreter at ${python}: the file does not exist or is not executable`
        : `no Python interpreter named ${python} on PATH`,
      { hints: ["choose one with --python /path/to/python or ENVKNIT_PYTHON"] },
    );
  }
  const stat = Deno.statSync(path);
  const cacheDir = opts.cacheDir === undefined ? storeCacheDir(env) : opts.cacheDir;
  const script = cacheDir !== null && isScript(path);
  const cwd = opts.cwd ?? Deno.cwd();
  const launcher = script ? launcherInputs(path, env, cwd) ?? scriptInputs(path, env, cwd) : null;
  const cacheable = cacheDir !== null && (!script || launcher !== null);
  const key = await interpreterCacheKey(
    launcher ? `${path}\0${launcher.kind}\0${launcher.fingerprint}` : path,
    { size: stat.size, mtime: stat.mtime },
  );
  return {
    path,
    file: cacheable ? `${cacheDir}/interpreters/${key}.json` : null,
    launcher: launcher !== null,
  };
}

async function probeOrRead(
  path: string,
  file: string | null,
  timeoutMs: number,
  launcher: boolean,
  cwd: string | undefined,
): Promise<Interpreter> {
  if (file) {
    const cached = readCache(file, path, launcher);
    if (cached) return interpreterFromFacts(cached);
  }
  const facts = await runProbe(path, timeoutMs, cwd);
  if (file) await writeCache(file, path, facts, launcher);
  return interpreterFromFacts(facts);
}

/** The real binary a shim ran, as `[path, size, mtime]` (a reinstalled Python differs). */
function binaryIdentity(executable: string): [string, number, number] | null {
  try {
    const real = Deno.realPathSync(executable);
    const s = Deno.statSync(real);
    return [real, s.size, s.mtime?.getTime() ?? 0];
  } catch {
    return null;
  }
}

function readCache(file: string, path: string, launcher: boolean): ProbeFacts | null {
  try {
    const data = JSON.parse(Deno.readTextFileSync(file));
    if (data?.path !== path || data?.facts?.probe_version !== PROBE_VERSION) return null;
    if (launcher) {
      // The shim's inputs are the key; the binary they led to must still be the one probed.
      const now = binaryIdentity(data.facts.executable);
      if (now === null || JSON.stringify(now) !== JSON.stringify(data.binary)) return null;
    }
    return data.facts as ProbeFacts;
  } catch {
    return null; // missing or corrupt: probe again
  }
}

// A read-only or full cache only costs a probe next time.
function writeCache(
  file: string,
  path: string,
  facts: ProbeFacts,
  launcher: boolean,
): Promise<void> {
  const binary = launcher ? binaryIdentity(facts.executable) : null;
  if (launcher && binary === null) return Promise.resolve(); // nothing to check it against
  const data = launcher ? { path, binary, facts } : { path, facts };
  return writeFileQuietly(file, JSON.stringify(data, null, 1) + "\n");
}

const MAX_OUTPUT = 1 << 20;

async function runProbe(path: string, timeoutMs: number, cwd?: string): Promise<ProbeFacts> {
  const hints = ["choose another interpreter with --python /path/to/python or ENVKNIT_PYTHON"];
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(path, {
      args: ["-I", "-S", "-c", PROBE_SCRIPT, String(PROBE_VERSION)],
      cwd, // where a shim looks for its version file
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new EnvknitError(`cannot run the Python interpreter ${path}: ${why}`, {
      hints,
      cause: error,
    });
  }
  const stderr = new TextDecoder().decode(output.stderr.subarray(0, 4096)).trim();
  if (!output.success) {
    const lines = stderr.split("\n").filter((l) => l.trim());
    // Python 2 and Python < 3.4 do not know -I; otherwise a traceback's last line says most.
    const old = lines.find((l) => /unknown option.*-I/i.test(l));
    const lastLine = old ?? lines.pop() ?? "";
    const what = output.signal
      ? `was stopped by ${output.signal}${output.signal === "SIGTERM" ? " (timed out?)" : ""}`
      : `exited with status ${output.code}`;
    throw new EnvknitError(
      `the Python interpreter ${path} failed when asked for its version and platform: it ${what}` +
        (lastLine ? `: ${lastLine}` : ""),
      { hints: old ? ["envknit needs Python 3.4 or later", ...hints] : hints },
    );
  }
  if (output.stdout.length > MAX_OUTPUT) {
    throw new EnvknitError(`${path} answered the interpreter probe with too much output`, {
      hints,
    });
  }
  let facts: ProbeFacts;
  try {
    facts = JSON.parse(new TextDecoder().decode(output.stdout));
  } catch {
    throw new EnvknitError(
      `${path} does not answer like a Python interpreter (no JSON from the probe)`,
      {
        hints,
      },
    );
  }
  if (!isFacts(facts)) {
    throw new EnvknitError(
      `${path} does not answer like a Python interpreter (incomplete probe answer)`,
      {
        hints,
      },
    );
  }
  return facts;
}

const MARKER_KEYS: (keyof MarkerEnvironment)[] = [
  "implementation_name",
  "implementation_version",
  "os_name",
  "platform_machine",
  "platform_python_implementation",
  "platform_release",
  "platform_system",
  "platform_version",
  "python_full_version",
  "python_version",
  "sys_platform",
];

function isFacts(f: unknown): f is ProbeFacts {
  const o = f as ProbeFacts;
  return typeof o === "object" && o !== null &&
    o.probe_version === PROBE_VERSION &&
    Array.isArray(o.version_info) && o.version_info.slice(0, 3).every(Number.isInteger) &&
    typeof o.implementation_name === "string" && typeof o.platform === "string" &&
    typeof o.system === "string" && typeof o.machine === "string" &&
    Array.isArray(o.extension_suffixes) && typeof o.markers === "object" && o.markers !== null &&
    MARKER_KEYS.every((k) => typeof o.markers[k] === "string");
}
