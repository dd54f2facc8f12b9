/**
 * PEP 440 version normalization in plain JavaScript, for the paths that must not load the
 * WebAssembly resolver (`install` compares a wheel's METADATA with its lock entry). It follows
 * `packaging`'s `str(Version(v))`: the same grammar (`VERSION_PATTERN`) and the same normal form.
 *
 * @module
 */

// packaging.version.VERSION_PATTERN, case-insensitive, surrounding whitespace allowed.
const VERSION = new RegExp(
  "^\\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)" +
    "(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?" +
    "(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?" +
    "(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?)" +
    "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$",
  "i",
);

const PRE: Record<string, string> = {
  alpha: "a",
  a: "a",
  beta: "b",
  b: "b",
  c: "rc",
  pre: "rc",
  preview: "rc",
  rc: "rc",
};

/** A run of digits as a number in its canonical decimal form (`007` → `7`), exact at any size. */
function num(digits: string): string {
  return digits.replace(/^0+(?=\d)/, "");
}

/**
 * The PEP 440 normal form of `version` (`1.0.0-RC1` → `1.0.0rc1`, `v2.post` → `2.post0`,
 * `1.0+Ubuntu-1` → `1.0+ubuntu.1`), or null when it is not a PEP 440 version. Trailing zeros
 * stay (`1.0` is not `1`: normalization keeps the release as written, as `packaging` does).
 */
export function canonicalVersion(version: string): string | null {
  const m = VERSION.exec(version);
  if (!m?.groups) return null;
  const g = m.groups;
  let out = "";
  if (g.epoch !== undefined && num(g.epoch) !== "0") out += `${num(g.epoch)}!`;
  out += g.release.split(".").map(num).join(".");
  if (g.pre_l !== undefined) out += PRE[g.pre_l.toLowerCase()] + num(g.pre_n ?? "0");
  if (g.post !== undefined) out += `.post${num(g.post_n1 ?? g.post_n2 ?? "0")}`;
  if (g.dev !== undefined) out += `.dev${num(g.dev_n ?? "0")}`;
  if (g.local !== undefined) {
    out += "+" + g.local.toLowerCase().split(/[-_.]/).map((p) => /^\d+$/.test(p) ? num(p) : p)
      .join(".");
  }
  return out;
}
