/**
 * PEP 425 compatibility tags an interpreter supports, in the exact order of
 * `packaging.tags.sys_tags()`: the index of a tag in the list is its preference (0 is best).
 *
 * For CPython: `cpXY-<abi>-<platform>` for its ABIs, then the stable ABI (`abi3`, or `abi3t` on
 * free-threaded builds), then `none`, then the stable ABI of every older minor version down to
 * 3.2 — each over every platform; then the pure-Python tags `pyXY`/`pyX`/older `pyX(Y-1)…` per
 * platform, then `cpXY-none-any`, then `py*-none-any`. Other implementations get their own
 * interpreter tag with their ABI and `none`, then the same pure-Python tail.
 *
 * @module
 */
import type { Interpreter } from "./interpreter.ts";

/** Build facts that decide a CPython interpreter's own ABI tags. */
export interface CpythonAbiFacts {
  /** `Py_DEBUG` from sysconfig (null when unset). */
  pyDebug: number | null;
  /** `hasattr(sys, "gettotalrefcount")` (debug builds). */
  hasTotalRefcount: boolean;
  /** Whether `_d.pyd` is an extension suffix (Windows debug builds). */
  hasDebugPyd: boolean;
  /** `Py_GIL_DISABLED` (free-threaded build, 3.13+). */
  gilDisabled: boolean;
  /** `WITH_PYMALLOC` (null when unset); only matters before 3.8. */
  withPymalloc: number | null;
  /** `Py_UNICODE_SIZE` (null when unset); only matters before 3.3. */
  unicodeSize: number | null;
  /** `sys.maxunicode`. */
  maxUnicode: number;
}

/**
 * CPython's ABI tags, most specific first: `cp311`, `cp313t`, `cp37m`, and for debug builds of
 * 3.8+ also the non-debug ABI (a debug build loads normal extension modules).
 */
export function cpythonAbis(version: readonly [number, number], facts: CpythonAbiFacts): string[] {
  const nodot = `${version[0]}${version[1]}`;
  const older = (minor: number) => version[0] < 3 || (version[0] === 3 && version[1] < minor);
  const debugged = facts.pyDebug !== null
    ? facts.pyDebug !== 0
    : facts.hasTotalRefcount || facts.hasDebugPyd;
  const d = debugged ? "d" : "";
  const t = !older(13) && facts.gilDisabled ? "t" : "";
  let m = "";
  let u = "";
  const abis: string[] = [];
  if (older(8)) {
    if (facts.withPymalloc === null || facts.withPymalloc !== 0) m = "m";
    if (older(3)) {
      const size = facts.unicodeSize;
      if (size === 4 || (size === null && facts.maxUnicode === 0x10ffff)) u = "u";
    }
  } else if (d) {
    abis.push(`cp${nodot}${t}`);
  }
  abis.unshift(`cp${nodot}${t}${d}${m}${u}`);
  return abis;
}

/**
 * The ABI tag of a non-CPython interpreter, from its extension-module suffix (`EXT_SUFFIX`):
 * `.pypy310-pp73-x86_64-linux-gnu.so` → `pypy310_pp73`, `.graalpy-38-native-x86_64-darwin.dylib`
 * → `graalpy_38_native`. `fallback` answers when the suffix carries no ABI (`.pyd`).
 */
export function genericAbis(extSuffix: string | null, fallback: () => string[]): string[] {
  if (extSuffix === null || !extSuffix.startsWith(".")) return [];
  const parts = extSuffix.split(".");
  if (parts.length < 3) return fallback();
  const soabi = parts[1];
  let abi: string;
  if (soabi.startsWith("cpython")) abi = "cp" + (soabi.split("-")[1] ?? "");
  else if (soabi.startsWith("cp")) abi = soabi.split("-")[0];
  else if (soabi.startsWith("pypy")) abi = soabi.split("-").slice(0, 2).join("-");
  else if (soabi.startsWith("graalpy")) abi = soabi.split("-").slice(0, 3).join("-");
  else if (soabi) abi = soabi;
  else return [];
  return [abi.replace(/[.\- ]/g, "_")];
}

/** The Python versions `pyXY`, `pyX`, then every older `pyX(Y-1)` … `pyX0`, for pure wheels. */
function pyRange(version: readonly number[]): string[] {
  const out: string[] = [];
  if (version.length > 1) out.push(`py${version[0]}${version[1]}`);
  out.push(`py${version[0]}`);
  if (version.length > 1) {
    for (let m = version[1] - 1; m >= 0; m--) out.push(`py${version[0]}${m}`);
  }
  return out;
}

/** Tags of a CPython interpreter (`packaging.tags.cpython_tags` with explicit arguments). */
export function cpythonTags(
  version: readonly [number, number],
  abis: readonly string[],
  platforms: readonly string[],
): string[] {
  const interp = `cp${version[0]}${version[1]}`;
  const own = abis.filter((a) => a !== "abi3" && a !== "none");
  const out: string[] = [];
  for (const abi of own) for (const p of platforms) out.push(`${interp}-${abi}-${p}`);
  // A free-threaded build shows a `t` among the flags of its first ABI (`cp313t`, `cp313td`).
  const flags = /^cp\d+(.*)$/s.exec(own[0] ?? "");
  const threaded = flags !== null && flags[1].includes("t");
  const stable = version[0] > 3 || (version[0] === 3 && version[1] >= 2)
    ? (threaded ? "abi3t" : "abi3")
    : null;
  if (stable) { for (const p of platforms) out.push(`${interp}-${stable}-${p}`); }
  for (const p of platforms) out.push(`${interp}-none-${p}`);
  if (stable) {
    for (let m = version[1] - 1; m > 1; m--) {
      for (const p of platforms) out.push(`cp${version[0]}${m}-${stable}-${p}`);
    }
  }
  return out;
}

/** Tags of a non-CPython interpreter (`packaging.tags.generic_tags`): its ABIs plus `none`. */
export function genericTags(
  interpreter: string,
  abis: readonly string[],
  platforms: readonly string[],
): string[] {
  const all = abis.includes("none") ? [...abis] : [...abis, "none"];
  const out: string[] = [];
  for (const abi of all) for (const p of platforms) out.push(`${interpreter}-${abi}-${p}`);
  return out;
}

/**
 * Pure-Python tags (`packaging.tags.compatible_tags`): `py*-none-<platform>`, then
 * `<interpreter>-none-any` when an interpreter is given, then `py*-none-any`.
 */
export function compatibleTags(
  version: readonly number[],
  interpreter: string | null,
  platforms: readonly string[],
): string[] {
  const range = pyRange(version);
  const out: string[] = [];
  for (const py of range) for (const p of platforms) out.push(`${py}-none-${p}`);
  if (interpreter) out.push(`${interpreter}-none-any`);
  for (const py of range) out.push(`${py}-none-any`);
  return out;
}

const cache = new WeakMap<Interpreter, string[]>();

/**
 * Every tag `interp` supports, best first, in `packaging.tags.sys_tags()` order (the list is
 * computed once per interpreter object and shared: do not modify it).
 */
export function supportedTags(interp: Interpreter): string[] {
  let tags = cache.get(interp);
  if (tags) return tags;
  const version: [number, number] = [interp.pythonVersionInfo[0], interp.pythonVersionInfo[1]];
  if (interp.interpreterName === "cp") {
    tags = [
      ...cpythonTags(version, interp.abis, interp.platforms),
      ...compatibleTags(version, `cp${interp.interpreterVersion}`, interp.platforms),
    ];
  } else {
    tags = [
      ...genericTags(
        `${interp.interpreterName}${interp.interpreterVersion}`,
        interp.abis,
        interp.platforms,
      ),
      ...compatibleTags(version, interp.interpreterName === "pp" ? "pp3" : null, interp.platforms),
    ];
  }
  Object.freeze(tags);
  cache.set(interp, tags);
  return tags;
}

/**
 * Preference of each tag: tag → its index in `tags` (lower is better; the first occurrence wins
 * when a tag repeats).
 */
export function tagPriority(tags: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  tags.forEach((tag, i) => {
    if (!map.has(tag)) map.set(tag, i);
  });
  return map;
}
