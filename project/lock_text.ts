/**
 * A strict reader for the one layout `serializeLock` writes: every line is a known key with a
 * JSON string, a flow list of JSON strings, `true`, or a flow mapping of JSON strings and
 * integers. Reading a lock envknit wrote then needs no YAML parser (whose loading costs more
 * than a warm `install` spends otherwise).
 *
 * Anything else — a lock edited by hand, written by another tool, or hostile — returns null and is
 * read by the YAML parser instead. The reader never guesses: a line it cannot read exactly means
 * null, so both paths give the same data (tests compare them on mutated locks) and the same
 * validation follows.
 *
 * @module
 */

type Data = Record<string, unknown>;

const TOP_KEYS = new Set([
  "schema_version",
  "lock_generated_at",
  "resolver_version",
  "config_hash",
]);
const PACKAGE_KEYS = new Set(["version", "marker", "requires_python", "index", "install_path"]);
const LIST_KEYS = new Set(["dependencies", "extras"]);
const ENV_LINE = /^ {2}([A-Za-z0-9_][A-Za-z0-9_.-]*):( \[\])?$/;
const ISLANDS_ENV_LINE = /^ {2}([A-Za-z0-9_][A-Za-z0-9_.-]*):$/;

/** Reads text in `serializeLock`'s layout into plain data, or null when it is not in it. */
export function readCanonicalLock(text: string): Data | null {
  if (!text.endsWith("\n")) return null;
  const lines = text.slice(0, -1).split("\n");
  const data: Data = {};
  let i = 0;
  while (i < lines.length && lines[i].startsWith("#")) i++;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line === "environments:" || line === "environments: {}") break;
    if (line === "targets:" && !("targets" in data)) {
      // A multi-target lock (schema 1.2): one flow mapping per target.
      const targets: Data[] = [];
      data.targets = targets;
      while (lines[i + 1]?.startsWith("  - ")) {
        const target = flowMapping(lines[++i].slice(4));
        if (target === null) return null;
        targets.push(target);
      }
      if (targets.length === 0) return null;
      continue;
    }
    const colon = line.indexOf(": ");
    const key = line.slice(0, colon);
    if (colon < 0 || key in data) return null;
    const value = line.slice(colon + 2);
    if (TOP_KEYS.has(key)) data[key] = jsonString(value);
    else if (key === "target") data[key] = flowMapping(value);
    else return null;
    if (data[key] === null) return null;
  }
  if (i >= lines.length) return null;
  const environments: Record<string, Data[]> = {};
  data.environments = environments;
  if (lines[i++] === "environments: {}") return i === lines.length ? data : null;

  let packages: Data[] | null = null;
  let pkg: Data | null = null;
  let wheels: Data[] | null = null;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line === "islands:") return readIslands(lines, i + 1, data);
    const env = ENV_LINE.exec(line);
    if (env) {
      if (env[1] in environments) return null;
      packages = [];
      environments[env[1]] = packages;
      if (env[2]) packages = null; // `name: []`: no entries may follow
      pkg = wheels = null;
    } else if (line.startsWith("    - name: ") && packages) {
      const name = jsonString(line.slice(12));
      if (name === null) return null;
      pkg = { name };
      packages.push(pkg);
      wheels = null;
    } else if (line.startsWith("        - ") && wheels) {
      const wheel = flowMapping(line.slice(10));
      if (wheel === null) return null;
      wheels.push(wheel);
    } else if (line.startsWith("      ") && pkg && !wheels) {
      const colon = line.indexOf(":", 6);
      const key = line.slice(6, colon);
      if (colon < 0 || key in pkg) return null;
      const value = line.slice(colon + 1);
      if (key === "wheels" && (value === "" || value === " []")) {
        wheels = [];
        pkg.wheels = wheels;
        if (value) wheels = null;
        continue;
      }
      if (!value.startsWith(" ")) return null;
      const parsed = PACKAGE_KEYS.has(key)
        ? jsonString(value.slice(1))
        : LIST_KEYS.has(key)
        ? stringList(value.slice(1))
        : (key === "dev" || key === "per_island") && value === " true"
        ? true
        : key === "island"
        ? intList(value.slice(1))
        : null;
      if (parsed === null) return null;
      pkg[key] = parsed;
    } else {
      return null;
    }
  }
  return data;
}

/**
 * The `islands:` section after the environments (islands, LOCK_FORMAT.md): `  <env>:` lines, each
 * followed by `    - {roots: [...]}` lines.
 */
function readIslands(lines: string[], start: number, data: Data): Data | null {
  const islands: Record<string, Data[]> = {};
  data.islands = islands;
  let list: Data[] | null = null;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    const env = ISLANDS_ENV_LINE.exec(line);
    if (env) {
      if (env[1] in islands) return null;
      list = islands[env[1]] = [];
    } else if (list && line.startsWith("    - {roots: ") && line.endsWith("}")) {
      const roots = stringList(line.slice(14, -1));
      if (roots === null) return null;
      list.push({ roots });
    } else {
      return null;
    }
  }
  return Object.values(islands).every((l) => l.length) ? data : null;
}

/** `[0, 2]` (non-negative integers joined by ", "), or null. */
function intList(text: string): number[] | null {
  if (!/^\[(?:0|[1-9][0-9]{0,5})(?:, (?:0|[1-9][0-9]{0,5}))*\]$/.test(text)) return null;
  return text.slice(1, -1).split(", ").map(Number);
}

/** A JSON string literal filling all of `text`, or null. */
function jsonString(text: string): string | null {
  const end = stringEnd(text, 0);
  return end === text.length ? decode(text) : null;
}

/**
 * The value of a JSON string literal; null for what JSON and YAML might read differently
 * (escapes JSON lacks, lone surrogates): the YAML parser then has the last word.
 */
function decode(literal: string): string | null {
  try {
    const value = JSON.parse(literal) as string;
    return value.isWellFormed() ? value : null;
  } catch {
    return null;
  }
}

/** Index just after the JSON string starting at `text[start]`, or -1. */
function stringEnd(text: string, start: number): number {
  if (text[start] !== '"') return -1;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++; // backslash: skip the escaped character
    else if (c === 0x22) return i + 1;
    else if (c < 0x20) return -1; // raw control characters are not JSON
  }
  return -1;
}

/** `["a", "b"]` (JSON strings joined by ", "), or null. */
function stringList(text: string): string[] | null {
  if (text === "[]") return [];
  if (!text.startsWith("[") || !text.endsWith("]")) return null;
  const out: string[] = [];
  let i = 1;
  while (true) {
    const end = stringEnd(text, i);
    const value = end < 0 ? null : decode(text.slice(i, end));
    if (value === null) return null;
    out.push(value);
    if (text[end] === "]" && end === text.length - 1) return out;
    if (text.slice(end, end + 2) !== ", ") return null;
    i = end + 2;
  }
}

/** `{key: "string", key: 123}` with plain lower-case keys, or null. */
function flowMapping(text: string): Data | null {
  if (!text.startsWith("{") || !text.endsWith("}")) return null;
  const out: Data = {};
  let i = 1;
  while (true) {
    const key = /^[a-z_0-9]+/.exec(text.slice(i))?.[0];
    if (!key || key in out || text.slice(i + key.length, i + key.length + 2) !== ": ") return null;
    i += key.length + 2;
    let end: number;
    if (text[i] === '"') {
      end = stringEnd(text, i);
      const value = end < 0 ? null : decode(text.slice(i, end));
      if (value === null) return null;
      out[key] = value;
    } else {
      const digits = /^(?:0|[1-9][0-9]{0,14})/.exec(text.slice(i))?.[0];
      if (!digits) return null;
      end = i + digits.length;
      out[key] = Number(digits);
    }
    if (text[end] === "}" && end === text.length - 1) return out;
    if (text.slice(end, end + 2) !== ", ") return null;
    i = end + 2;
  }
}
