/**
 * Distribution file names: wheels (the binary distribution format, PEP 427) and, for messages only,
 * source distributions.
 *
 * A wheel's name is `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`; each of the last
 * three parts may be a compressed tag set (`py2.py3`, `manylinux_2_17_x86_64.manylinux2014_x86_64`)
 * that stands for every combination of its members.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { normalizeName } from "../../core/names.ts";

/** The optional build tag of a wheel: its leading digits and the rest (`1local` → 1, "local"). */
export interface BuildTag {
  /** The leading decimal digits, as a number (build tags are small in practice). */
  number: number;
  /** Whatever follows the digits, possibly "". */
  tag: string;
}

/** A parsed wheel file name. */
export interface WheelFilename {
  /** The distribution name as written in the file name (`Flask_Login`). */
  name: string;
  /** The PEP 503 normalized name (`flask-login`). */
  normalizedName: string;
  /** The version as written (valid PEP 440, not normalized). */
  version: string;
  /** The build tag, or null when the name has none. */
  build: BuildTag | null;
  /**
   * Every tag the wheel supports, `interpreter-abi-platform`, lower-cased (tags compare without
   * case, as in `packaging`), with compressed tag sets expanded; in the order interpreter × ABI ×
   * platform as written, without duplicates.
   */
  tags: string[];
}

// A PEP 440 version in any of its accepted spellings (the grammar of the spec's appendix, which a
// file name may carry un-normalized); only for validation here, versions stay strings.
const PEP440 = new RegExp(
  "^v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*" +
    "(?:[-_.]?(?:alpha|a|beta|b|preview|pre|c|rc)[-_.]?[0-9]*)?" +
    "(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?" +
    "(?:[-_.]?dev[-_.]?[0-9]*)?" +
    "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$",
  "i",
);

/** True when `version` is a valid PEP 440 version in any accepted spelling. */
export function isValidVersion(version: string): boolean {
  return PEP440.test(version);
}

// Letters, digits, `_` and `.` (Unicode letters too, as Python's `\w` in `packaging` allows).
const NAME_PART = /^[\p{L}\p{N}_.]+$/u;

function invalid(filename: string, why: string): never {
  throw new EnvknitError(`invalid wheel file name ${JSON.stringify(filename)}: ${why}`, {
    hints: ["wheel names look like name-1.0-py3-none-any.whl (PEP 427)"],
  });
}

/**
 * Parses a wheel file name (PEP 427 and the binary distribution format spec).
 *
 * @throws EnvknitError naming the file when it is not a valid wheel name.
 */
export function parseWheelFilename(filename: string): WheelFilename {
  if (!filename.endsWith(".whl")) invalid(filename, "it does not end with .whl");
  const parts = filename.slice(0, -4).split("-");
  if (parts.length !== 5 && parts.length !== 6) {
    invalid(filename, `expected 5 or 6 dash-separated parts, found ${parts.length}`);
  }
  const [name, version] = parts;
  if (!NAME_PART.test(name) || name.includes("__")) {
    invalid(filename, `bad distribution name ${JSON.stringify(name)}`);
  }
  if (!isValidVersion(version)) invalid(filename, `bad version ${JSON.stringify(version)}`);
  let build: BuildTag | null = null;
  if (parts.length === 6) {
    const m = /^([0-9]+)(.*)$/s.exec(parts[2]);
    if (!m) invalid(filename, `the build tag ${JSON.stringify(parts[2])} must start with a digit`);
    build = { number: Number(m[1]), tag: m[2] };
  }
  const [pythons, abis, platforms] = parts.slice(-3).map((p) => p.toLowerCase().split("."));
  if ([...pythons, ...abis, ...platforms].some((t) => t === "")) {
    invalid(filename, "an empty tag");
  }
  const tags = new Set<string>();
  for (const py of pythons) {
    for (const abi of abis) for (const plat of platforms) tags.add(`${py}-${abi}-${plat}`);
  }
  return { name, normalizedName: normalizeName(name), version, build, tags: [...tags] };
}

/** Names already parsed by {@link tryParseWheelFilename} (bounded; results are frozen). */
const parsedNames = new Map<string, Readonly<WheelFilename> | null>();
const MAX_PARSED_NAMES = 100_000;

/**
 * Like {@link parseWheelFilename} but returns null instead of throwing. Memoized: locking reads
 * each file name of a page several times (whose project, which version, which tags), and a name
 * that is not a wheel's would otherwise build an error each time. The result is frozen.
 */
export function tryParseWheelFilename(filename: string): Readonly<WheelFilename> | null {
  let parsed = parsedNames.get(filename);
  if (parsed === undefined) {
    try {
      const wheel = parseWheelFilename(filename);
      Object.freeze(wheel.tags);
      parsed = Object.freeze(wheel);
    } catch (error) {
      if (!(error instanceof EnvknitError)) throw error;
      parsed = null;
    }
    if (parsedNames.size >= MAX_PARSED_NAMES) parsedNames.clear();
    parsedNames.set(filename, parsed);
  }
  return parsed;
}

// Source archive suffixes seen on indexes, longest first so `.tar.gz` wins over `.gz`.
const SDIST_SUFFIXES = [
  ".tar.gz",
  ".tar.bz2",
  ".tar.xz",
  ".tar.Z",
  ".tar.lz",
  ".tgz",
  ".tbz",
  ".zip",
  ".tar",
];

function sdistSuffix(filename: string): string | null {
  const lower = filename.toLowerCase();
  return SDIST_SUFFIXES.find((s) => lower.endsWith(s.toLowerCase())) ?? null;
}

/**
 * True when `filename` looks like a source distribution: `.tar.gz` or `.zip` (the current
 * standard), or a legacy archive (`.tar.bz2`, `.tar.xz`, `.tgz`, `.tar`, …). Wheels, eggs and
 * installers (`.exe`, `.msi`) are not sdists.
 */
export function isSdistFilename(filename: string): boolean {
  return sdistSuffix(filename) !== null;
}

/** Name and version of a source distribution, as far as its file name tells. */
export interface SdistFilename {
  /** The name as written. */
  name: string;
  /** The PEP 503 normalized name. */
  normalizedName: string;
  /** The version as written. */
  version: string;
}

/**
 * Best-effort name and version of an sdist file name, for messages and listings only (legacy
 * sdists may not follow the spec): the split is at the last `-` when what follows is a valid
 * version, else at the first `-` followed by a digit. Null when neither works.
 */
export function parseSdistFilename(filename: string): SdistFilename | null {
  const suffix = sdistSuffix(filename);
  if (suffix === null) return null;
  const stem = filename.slice(0, filename.length - suffix.length);
  const last = stem.lastIndexOf("-");
  let cut = -1;
  if (last > 0 && isValidVersion(stem.slice(last + 1))) cut = last;
  else {
    const m = /-[0-9]/.exec(stem);
    if (m && m.index > 0) cut = m.index;
  }
  if (cut < 0) return null;
  const name = stem.slice(0, cut);
  return { name, normalizedName: normalizeName(name), version: stem.slice(cut + 1) };
}
