/**
 * The few TOML forms the exporters write (TOML 1.0): basic strings, keys, integers, booleans,
 * string arrays and one-line inline tables. Writing is done by hand so the layout is ours and
 * stable (one package after another, wheels one per line), as PEP 751 asks of lock files.
 *
 * @module
 */

/** A TOML value the writer knows. */
export type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };

/** A TOML basic string: JSON's escapes are TOML's, except that DEL must be escaped too. */
export function tomlString(text: string): string {
  return JSON.stringify(text).replace(/\x7f/g, "\\u007F");
}

/** A key: bare when it can be, else quoted. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/** A value on one line (arrays and tables inline). */
export function tomlInline(value: TomlValue): string {
  if (typeof value === "string") return tomlString(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a TOML integer: ${value}`);
    return String(value);
  }
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlInline).join(", ")}]`;
  const entries = Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlInline(v)}`);
  return entries.length ? `{ ${entries.join(", ")} }` : "{}";
}

/** `key = value` on one line. */
export function tomlPair(key: string, value: TomlValue): string {
  return `${tomlKey(key)} = ${tomlInline(value)}`;
}
