/**
 * Name and version normalization the test support needs on its own (it must not depend on the
 * resolver it helps to test): PEP 427 filename components, PEP 440 versions, PEP 425 tag sets.
 * PEP 503 project names are `normalizeName` of `core/names.ts` (plain JavaScript, no resolver).
 *
 * @module
 */

/** The distribution-name component of a wheel or sdist filename: normalized, `-` as `_`. */
export function filenameName(name: string): string {
  return name.replace(/[-_.]+/g, "_").toLowerCase();
}

/** The importable module name tests give a generated package (`Foo-Bar.baz` → `foo_bar_baz`). */
export function moduleName(name: string): string {
  return filenameName(name);
}

const VERSION = new RegExp(
  "^\\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)" +
    "(?<pre>[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?" +
    "(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?" +
    "(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?)" +
    "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$",
  "i",
);

/**
 * The PEP 440 normal form of a version (`str(packaging.version.Version(v))`): `1.0-RC.1` →
 * `1.0rc1`, `v1.01` → `1.1`, `1.0+Ubuntu-1` → `1.0+ubuntu.1`.
 *
 * @throws {Error} when `version` is not a PEP 440 version
 */
export function normalizeVersion(version: string): string {
  const m = VERSION.exec(version);
  if (!m?.groups) throw new Error(`invalid PEP 440 version: ${JSON.stringify(version)}`);
  const g = m.groups;
  let out = "";
  if (g.epoch && BigInt(g.epoch) !== 0n) out += `${BigInt(g.epoch)}!`;
  out += g.release.split(".").map((n) => BigInt(n).toString()).join(".");
  if (g.pre) {
    const label = g.preL.toLowerCase();
    const short = label === "alpha"
      ? "a"
      : label === "beta"
      ? "b"
      : label === "a" || label === "b"
      ? label
      : "rc";
    out += `${short}${BigInt(g.preN ?? "0")}`;
  }
  if (g.post) out += `.post${BigInt(g.postN1 ?? g.postN2 ?? "0")}`;
  if (g.dev) out += `.dev${BigInt(g.devN ?? "0")}`;
  if (g.local) out += `+${g.local.toLowerCase().replace(/[-_]/g, ".")}`;
  return out;
}

/** Expands a compressed tag set (`py2.py3-none-any`) into its tags, in filename order. */
export function expandTags(tagSet: string): string[] {
  const parts = tagSet.split("-");
  if (parts.length !== 3 || parts.some((p) => p === "")) {
    throw new Error(`invalid wheel tag: ${JSON.stringify(tagSet)}`);
  }
  const [pys, abis, plats] = parts.map((p) => p.split("."));
  const out: string[] = [];
  for (const py of pys) {
    for (const abi of abis) for (const plat of plats) out.push(`${py}-${abi}-${plat}`);
  }
  return out;
}

/**
 * Compresses tags (each possibly itself compressed) into one filename tag set. The tags must form a
 * full product of interpreters × ABIs × platforms, as any wheel's tags do.
 *
 * @throws {Error} when they do not
 */
export function compressTags(tags: string[]): string {
  const expanded = [...new Set(tags.flatMap(expandTags))];
  const unique = (i: number) => [...new Set(expanded.map((t) => t.split("-")[i]))];
  const [pys, abis, plats] = [unique(0), unique(1), unique(2)];
  if (pys.length * abis.length * plats.length !== expanded.length) {
    throw new Error(`tags ${tags.join(", ")} cannot be one wheel's tag set`);
  }
  return `${pys.join(".")}-${abis.join(".")}-${plats.join(".")}`;
}
