/**
 * The lock file `envknit.lock.yaml` (schema 1.x, DESIGN.md): its model, a validating reader, and a
 * deterministic, atomic writer. The lock is committed and portable: it holds no local paths.
 *
 * A lock is untrusted input (it may come from anyone's pull request): every field that later
 * becomes part of a path or a URL is validated here, so the store never sees a hostile value.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { parseYaml } from "../core/yaml.ts";
import { readCanonicalLock } from "./lock_text.ts";
import { writeFileAtomicSync } from "../core/atomic_write.ts";
import { parseThroughCache } from "./parse_cache.ts";
import { readLockText } from "./lock_file.ts";

/** The schema this envknit writes; readers accept any 1.x and ignore fields they do not know. */
export const LOCK_SCHEMA_VERSION = "1.1";
/** The schema of a lock with `targets` (project/LOCK_FORMAT.md). */
export const LOCK_SCHEMA_TARGETS = "1.2";
/** The lock's file name beside envknit.yaml. */
export { LOCK_FILENAME } from "./lock_file.ts";

/** One wheel file of a locked version, as the index listed it. */
export interface LockWheel {
  /** The file name (`name-version-python-abi-platform.whl`). */
  file: string;
  /** Where the file is downloaded from (credentials stripped). */
  url: string;
  /** The file's sha256 in lower-case hex: what it must hash to. */
  sha256: string;
  /** The file's size in bytes, when the index gave it. */
  size?: number;
}

/** One locked package version of an environment. */
export interface LockPackage {
  /** PEP 503-normalized name. */
  name: string;
  /** PEP 440-normalized version. */
  version: string;
  /** Applicable Requires-Dist (markers evaluated for the target), without markers. */
  dependencies: string[];
  /** Extras of this package that were requested. */
  extras?: string[];
  /** Only needed by dev_packages. */
  dev?: boolean;
  /** The version's Requires-Python, when it has one. */
  requiresPython?: string | null;
  /** The index the package came from. */
  index?: string;
  /** Every wheel of that version the index lists. */
  wheels: LockWheel[];
  /** EnvKnit's field: where the package is installed. The tool never writes it. */
  installPath?: string;
  /**
   * PEP 508 marker of a multi-target lock (schema 1.2): the entry applies only where it holds.
   * Absent: everywhere.
   */
  marker?: string;
  /**
   * Islands (LOCK_FORMAT.md): the islands whose code sees this entry (sorted); absent, every
   * island of its environment.
   */
  island?: number[];
  /** Islands: one module instance per island (its dependency closure holds a split package). */
  perIsland?: boolean;
}

/** One island of an environment (LOCK_FORMAT.md, Islands). */
export interface LockIsland {
  /** The normalized names of the top-level requirements it serves. */
  roots: string[];
}

/** What the lock was resolved for. */
export interface LockTarget {
  /** Python version, e.g. "3.11". */
  python: string;
  /** Platform tag, e.g. "manylinux_2_36_x86_64". */
  platform: string;
}

/** One target of a multi-target lock (schema 1.2), with the marker that holds only there. */
export interface LockTargetEntry extends LockTarget {
  /** PEP 508 marker that holds on this target's machines and on no other listed target. */
  marker: string;
}

/** A whole lock file. */
export interface Lockfile {
  /** The lock's schema version (`1.1`); a reader refuses a newer major version. */
  schemaVersion: string;
  /** When the lock was made (ISO 8601, seconds); kept when locking again changes nothing. */
  lockGeneratedAt: string;
  /** What made it: `envknit/<version>`. */
  resolverVersion: string;
  /** sha256 of the normalized envknit.yaml inputs; `envknit check` compares it. */
  configHash: string;
  /** The interpreter it was resolved for (empty strings in a multi-target lock). */
  target: LockTarget;
  /** The targets of a lock resolved for several (schema 1.2); absent for a one-target lock. */
  targets?: LockTargetEntry[];
  /** Packages per environment, sorted by name. */
  environments: Record<string, LockPackage[]>;
  /** The islands of the environments that have them (island 0 first: the default island). */
  islands?: Record<string, LockIsland[]>;
}

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const VERSION =
  /^(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?$/;
const SHA256 = /^[0-9a-f]{64}$/;
const WHEEL_FILE = /^[A-Za-z0-9_.+!-]+\.whl$/;
const ENV_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** The longest name or version a lock may hold, as the runtime's reader (a path component). */
const MAX_PART = 255;

/**
 * Parses and validates lock text. `source` names the file in messages.
 * Throws EnvknitError for YAML errors, a newer major schema, or any invalid field.
 */
export async function parseLock(text: string, source: string): Promise<Lockfile> {
  // A lock in the layout envknit writes is read without the YAML parser (see lock_text.ts).
  const data = readCanonicalLock(text) ?? await parseYaml(text, source);
  const bad = (where: string, problem: string) =>
    new EnvknitError(`${source}: ${where}: ${problem}`);
  if (!isRecord(data)) throw bad("top level", "expected a mapping");

  const schema = str(data.schema_version, "schema_version", bad);
  const major = /^(\d+)\.\d+$/.exec(schema)?.[1];
  if (major === undefined) {
    throw bad("schema_version", `expected "MAJOR.MINOR", got ${JSON.stringify(schema)}`);
  }
  if (Number(major) > 1) {
    throw new EnvknitError(
      `${source}: lock schema ${schema} is newer than this envknit understands (1.x)`,
      { hints: ["upgrade envknit, or re-lock with this version: envknit lock"] },
    );
  }
  if (Number(major) < 1) throw bad("schema_version", `unsupported schema ${schema}`);

  const targetData = data.target ?? {};
  if (!isRecord(targetData)) throw bad("target", "expected a mapping");
  const target: LockTarget = {
    python: optStr(targetData.python, "target.python", bad) ?? "",
    platform: optStr(targetData.platform, "target.platform", bad) ?? "",
  };

  let targets: LockTargetEntry[] | undefined;
  if (data.targets !== undefined && data.targets !== null) {
    if (!Array.isArray(data.targets)) throw bad("targets", "expected a list of targets");
    targets = data.targets.map((t, i) => {
      const where = `targets[${i}]`;
      if (!isRecord(t)) throw bad(where, "expected a mapping with python, platform and marker");
      return {
        python: str(t.python, `${where}.python`, bad),
        platform: str(t.platform, `${where}.platform`, bad),
        marker: str(t.marker, `${where}.marker`, bad),
      };
    });
  }

  const envs = data.environments ?? {};
  if (!isRecord(envs)) throw bad("environments", "expected a mapping of environment names");
  const environments: Record<string, LockPackage[]> = {};
  for (const [env, list] of Object.entries(envs)) {
    if (!ENV_NAME.test(env)) throw bad(`environments.${env}`, "invalid environment name");
    if (list === null) {
      environments[env] = [];
      continue;
    }
    if (!Array.isArray(list)) throw bad(`environments.${env}`, "expected a list of packages");
    environments[env] = list.map((entry, i) =>
      parsePackage(entry, `environments.${env}[${i}]`, bad)
    );
  }

  const lock: Lockfile = {
    schemaVersion: schema,
    lockGeneratedAt: optStr(data.lock_generated_at, "lock_generated_at", bad) ?? "",
    resolverVersion: optStr(data.resolver_version, "resolver_version", bad) ?? "",
    configHash: optStr(data.config_hash, "config_hash", bad) ?? "",
    target,
    ...(targets ? { targets } : {}),
    environments,
  };
  const islands = parseIslands(data.islands, environments, bad);
  if (islands) lock.islands = islands;
  return lock;
}

/**
 * `islands`: environment name → its islands, each `{roots: [names]}`. Every entry's `island`
 * must name islands its environment has; an entry with `island` in an environment without
 * islands is refused.
 */
function parseIslands(
  data: unknown,
  environments: Record<string, LockPackage[]>,
  bad: Bad,
): Record<string, LockIsland[]> | null {
  const out: Record<string, LockIsland[]> = {};
  if (data !== undefined && data !== null) {
    if (!isRecord(data)) throw bad("islands", "expected a mapping of environment names");
    for (const [env, list] of Object.entries(data)) {
      if (!environments[env]) throw bad(`islands.${env}`, "no such environment in the lock");
      if (!Array.isArray(list) || list.length === 0) {
        throw bad(`islands.${env}`, "expected a list of islands");
      }
      out[env] = list.map((island, i) => {
        if (!isRecord(island)) throw bad(`islands.${env}[${i}]`, "expected {roots: [...]}");
        const roots = strList(island.roots, `islands.${env}[${i}].roots`, bad);
        for (const r of roots) {
          if (!NAME.test(r)) {
            throw bad(
              `islands.${env}[${i}].roots`,
              `${JSON.stringify(r)} is not a normalized name`,
            );
          }
        }
        return { roots };
      });
    }
  }
  for (const [env, packages] of Object.entries(environments)) {
    const count = out[env]?.length ?? 0;
    packages.forEach((p, i) => {
      const where = `environments.${env}[${i}] (${p.name}).island`;
      for (const k of p.island ?? []) {
        if (k >= count) {
          throw bad(where, count ? `island ${k} is not one of the ${count} islands` : "no islands");
        }
      }
    });
  }
  return Object.keys(out).length ? out : null;
}

type Bad = (where: string, problem: string) => EnvknitError;

function parsePackage(entry: unknown, where: string, bad: Bad): LockPackage {
  if (!isRecord(entry)) throw bad(where, "expected a mapping");
  // Both become parts of store paths: validated as the runtime does (#14.2), 255 characters at
  // most (a path component's limit), so `/tmp/x` or `../x` never reaches the store.
  const name = str(entry.name, `${where}.name`, bad);
  if (!NAME.test(name) || name.length > MAX_PART) {
    throw bad(
      `${where}.name`,
      `${JSON.stringify(name.slice(0, 300))} is not a normalized package name`,
    );
  }
  const version = str(entry.version, `${where}.version`, bad);
  if (!VERSION.test(version) || version.length > MAX_PART) {
    throw bad(
      `${where}.version`,
      `${JSON.stringify(version.slice(0, 300))} is not a normalized PEP 440 version`,
    );
  }
  const at = `${where} (${name})`;
  const pkg: LockPackage = {
    name,
    version,
    dependencies: strList(entry.dependencies, `${at}.dependencies`, bad),
    wheels: [],
  };
  if (entry.extras !== undefined) pkg.extras = strList(entry.extras, `${at}.extras`, bad);
  if (entry.dev !== undefined) {
    if (typeof entry.dev !== "boolean") throw bad(`${at}.dev`, "expected true or false");
    if (entry.dev) pkg.dev = true;
  }
  if (entry.requires_python !== undefined) {
    pkg.requiresPython = entry.requires_python === null
      ? null
      : str(entry.requires_python, `${at}.requires_python`, bad);
  }
  if (entry.index !== undefined) {
    pkg.index = checkUrl(str(entry.index, `${at}.index`, bad), `${at}.index`, bad);
  }
  if (entry.install_path !== undefined) {
    pkg.installPath = str(entry.install_path, `${at}.install_path`, bad);
  }
  if (entry.marker !== undefined && entry.marker !== null) {
    pkg.marker = str(entry.marker, `${at}.marker`, bad);
  }
  if (entry.island !== undefined) {
    const island = entry.island;
    if (
      !Array.isArray(island) || island.length === 0 ||
      !island.every((k, i) =>
        Number.isSafeInteger(k) && k >= 0 && (i === 0 || k > (island[i - 1] as number))
      )
    ) {
      throw bad(`${at}.island`, "expected a sorted list of island numbers");
    }
    pkg.island = island as number[];
  }
  if (entry.per_island !== undefined) {
    if (typeof entry.per_island !== "boolean") {
      throw bad(`${at}.per_island`, "expected true or false");
    }
    if (entry.per_island) pkg.perIsland = true;
  }
  const wheels = entry.wheels ?? [];
  if (!Array.isArray(wheels)) throw bad(`${at}.wheels`, "expected a list");
  pkg.wheels = wheels.map((w, i) => parseWheel(w, `${at}.wheels[${i}]`, bad));
  return pkg;
}

function parseWheel(w: unknown, where: string, bad: Bad): LockWheel {
  if (!isRecord(w)) throw bad(where, "expected a mapping");
  const file = str(w.file, `${where}.file`, bad);
  if (!WHEEL_FILE.test(file)) {
    throw bad(`${where}.file`, `${JSON.stringify(file)} is not a wheel file name`);
  }
  const sha256 = str(w.sha256, `${where}.sha256`, bad).toLowerCase();
  if (!SHA256.test(sha256)) throw bad(`${where}.sha256`, "expected 64 hex digits");
  const wheel: LockWheel = {
    file,
    url: checkUrl(str(w.url, `${where}.url`, bad), `${where}.url`, bad),
    sha256,
  };
  if (w.size !== undefined) {
    if (typeof w.size !== "number" || !Number.isSafeInteger(w.size) || w.size < 0) {
      throw bad(`${where}.size`, "expected a byte count");
    }
    wheel.size = w.size;
  }
  return wheel;
}

function checkUrl(url: string, where: string, bad: Bad): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(where, `${JSON.stringify(url)} is not an absolute URL`);
  }
  if (!["https:", "http:", "file:"].includes(parsed.protocol)) {
    throw bad(where, `unsupported URL scheme '${parsed.protocol}'`);
  }
  return url;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown, where: string, bad: Bad): string {
  if (typeof v === "number") return String(v); // `python: 3.11` written by hand
  if (typeof v !== "string") throw bad(where, "expected a string");
  return v;
}

function optStr(v: unknown, where: string, bad: Bad): string | undefined {
  return v === undefined || v === null ? undefined : str(v, where, bad);
}

function strList(v: unknown, where: string, bad: Bad): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw bad(where, "expected a list of strings");
  }
  return v;
}

/** A YAML double-quoted scalar: JSON string syntax is valid YAML and unambiguous. */
function q(s: string): string {
  return JSON.stringify(s);
}

const byName = (a: LockPackage, b: LockPackage) =>
  a.name < b.name
    ? -1
    : a.name > b.name
    ? 1
    : a.version < b.version
    ? -1
    : a.version > b.version
    ? 1
    : 0;

/**
 * Serializes a lock deterministically: fixed key order, environments and packages sorted, every
 * string double-quoted. The same lock always gives the same bytes.
 */
export function serializeLock(lock: Lockfile): string {
  const out: string[] = [
    "# envknit.lock.yaml: written by `envknit lock`. Do not edit by hand.",
    `schema_version: ${q(lock.schemaVersion)}`,
    `lock_generated_at: ${q(lock.lockGeneratedAt)}`,
    `resolver_version: ${q(lock.resolverVersion)}`,
    `config_hash: ${q(lock.configHash)}`,
  ];
  if (lock.targets?.length) {
    out.push("targets:");
    for (const t of lock.targets) {
      out.push(
        `  - {python: ${q(t.python)}, platform: ${q(t.platform)}, marker: ${q(t.marker)}}`,
      );
    }
  } else {
    out.push(`target: {python: ${q(lock.target.python)}, platform: ${q(lock.target.platform)}}`);
  }
  out.push("environments:");
  const envNames = Object.keys(lock.environments).sort();
  if (envNames.length === 0) out[out.length - 1] += " {}";
  for (const env of envNames) {
    const packages = [...lock.environments[env]].sort(byName);
    out.push(`  ${env}:${packages.length ? "" : " []"}`);
    for (const p of packages) {
      out.push(`    - name: ${q(p.name)}`);
      out.push(`      version: ${q(p.version)}`);
      if (p.marker) out.push(`      marker: ${q(p.marker)}`);
      if (p.island?.length) out.push(`      island: [${p.island.join(", ")}]`);
      if (p.perIsland) out.push(`      per_island: true`);
      out.push(`      dependencies: [${p.dependencies.map(q).join(", ")}]`);
      if (p.extras?.length) out.push(`      extras: [${[...p.extras].sort().map(q).join(", ")}]`);
      if (p.dev) out.push(`      dev: true`);
      if (p.requiresPython) out.push(`      requires_python: ${q(p.requiresPython)}`);
      if (p.index) out.push(`      index: ${q(p.index)}`);
      if (p.installPath) out.push(`      install_path: ${q(p.installPath)}`);
      const wheels = [...p.wheels].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
      out.push(`      wheels:${wheels.length ? "" : " []"}`);
      for (const w of wheels) {
        const size = w.size === undefined ? "" : `, size: ${w.size}`;
        out.push(`        - {file: ${q(w.file)}, url: ${q(w.url)}, sha256: ${q(w.sha256)}${size}}`);
      }
    }
  }
  const islandEnvs = Object.keys(lock.islands ?? {}).filter((e) => lock.islands![e].length).sort();
  if (islandEnvs.length) out.push("islands:");
  for (const env of islandEnvs) {
    out.push(`  ${env}:`);
    for (const island of lock.islands![env]) {
      out.push(`    - {roots: [${island.roots.map(q).join(", ")}]}`);
    }
  }
  return out.join("\n") + "\n";
}

/** Reads and validates a lock file; a missing file says to run `envknit lock`. */
export async function readLock(path: string): Promise<Lockfile> {
  return await parseLock(readLockText(path), path);
}

/** A lock read through the parse cache (see {@link loadLock}). */
export interface LoadedLock {
  lock: Lockfile;
  /** The lock's text as it is on disk. */
  text: string;
  /** Identifies the lock's text (and this envknit's reading of it). */
  key: string;
  /** Keeps the validated lock in the cache; call it once the command succeeded. */
  remember(): Promise<void>;
}

/**
 * Reads and validates the lock at `path` like {@link readLock}, through the parse cache in
 * `cacheDir` (see `parse_cache.ts`): on the hot paths (`install` with everything present, `run`,
 * `lock` again) the YAML parser is not even loaded. `text` is the file's text when the caller
 * has already read it (so what is parsed is what the caller hashed).
 */
export async function loadLock(
  path: string,
  cacheDir: string | null,
  text: string = readLockText(path),
): Promise<LoadedLock> {
  const parsed = await parseThroughCache({
    kind: "lock",
    path,
    text,
    dir: cacheDir,
    parse: () => parseLock(text, path),
  });
  return { lock: parsed.value, text, key: parsed.key, remember: parsed.remember };
}

/**
 * Writes the lock atomically (a temp file beside it, then rename), so a reader or a crash never
 * sees half a lock. When only `lockGeneratedAt` would change, the existing file is kept as it is:
 * locking twice gives byte-identical files. Returns whether the file changed.
 */
export function writeLock(path: string, lock: Lockfile): Promise<boolean> {
  const text = serializeLock(lock);
  let existing: string | null = null;
  try {
    // Synchronous, like the write: an async read waits its turn behind whatever I/O the
    // resolver left in flight (up to several ms measured), for a file read in microseconds.
    existing = Deno.readTextFileSync(path);
  } catch {
    // no lock yet (or unreadable: it is replaced)
  }
  if (existing !== null && sameExceptTimestamp(existing, text)) return Promise.resolve(false);
  writeFileAtomicSync(path, text); // synchronous, as the read above (and it is small)
  return Promise.resolve(true);
}

const TIMESTAMP_LINE = /^lock_generated_at: .*$/m;

/** Whether two serialized locks differ at most in their `lock_generated_at` line. */
export function sameExceptTimestamp(a: string, b: string): boolean {
  return a.replace(TIMESTAMP_LINE, "") === b.replace(TIMESTAMP_LINE, "");
}
