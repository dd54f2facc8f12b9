/**
 * PEP 440 versions and specifiers, PEP 508 requirements and markers, and PEP 503 names, computed
 * by the resolver's WebAssembly module (resolver/wasm/src/pep440, pep508) exactly as Python's
 * `packaging` 26 computes them. `resolver/mod.ts` re-exports these helpers.
 *
 * Invalid input throws an {@link EnvknitError} whose message quotes the input and says what is
 * wrong, e.g. `invalid version 'x.y': a version starts with a number …`.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { call, ResolverCallError } from "./wasm.ts";

/** The values of PEP 508's environment markers for one target (all strings). */
export interface MarkerEnvironment {
  /** `sys.implementation.name`, e.g. `"cpython"`. */
  implementation_name: string;
  /** The implementation's version, e.g. `"3.11.7"`. */
  implementation_version: string;
  /** `os.name`, e.g. `"posix"`. */
  os_name: string;
  /** `platform.machine()`, e.g. `"x86_64"`. */
  platform_machine: string;
  /** `platform.python_implementation()`, e.g. `"CPython"`. */
  platform_python_implementation: string;
  /** `platform.release()`, e.g. `"6.1.0-18-amd64"`. */
  platform_release: string;
  /** `platform.system()`, e.g. `"Linux"`. */
  platform_system: string;
  /** `platform.version()`. */
  platform_version: string;
  /** `platform.python_version()`, e.g. `"3.11.7"`. */
  python_full_version: string;
  /** Major and minor version, e.g. `"3.11"`. */
  python_version: string;
  /** `sys.platform`, e.g. `"linux"`. */
  sys_platform: string;
}

/** A parsed PEP 508 requirement, normalized. */
export interface Requirement {
  /** Project name in PEP 503 normal form (`Foo_Bar` → `foo-bar`). */
  name: string;
  /** Requested extras in normal form, sorted, without duplicates. */
  extras: string[];
  /** Version specifiers in `packaging`'s form (`<2,>=1.0`), `""` for any version. */
  specifier: string;
  /** The environment marker in `packaging`'s form, or `null` when there is none. */
  marker: string | null;
}

/** Calls `pep.<op>`, turning a rejection of the input into an {@link EnvknitError}. */
function pep<T>(op: string, args: Record<string, unknown>): T {
  try {
    return call<T>(`pep.${op}`, args);
  } catch (error) {
    if (error instanceof ResolverCallError) throw new EnvknitError(error.message);
    throw error;
  }
}

/**
 * Runs `pep.<op>` once per element of `items` in one crossing of the wasm boundary (the module's
 * batch form): for code that checks hundreds of cases at once. Each answer is `{ok}` or `{error}`.
 */
export function pepBatch<T>(
  op: string,
  items: readonly Record<string, unknown>[],
): ({ ok: T; error?: undefined } | { ok?: undefined; error: string })[] {
  if (items.length === 0) return [];
  return pep(op, { batch: items });
}

/**
 * The PEP 440 normal form of a version (`V1.0-RC1` → `1.0rc1`, `1.0-1` → `1.0.post1`).
 *
 * @throws {EnvknitError} when `version` is not a valid version
 */
export function normalizeVersion(version: string): string {
  return pep<string>("version_normalize", { version });
}

/**
 * Compares two versions in PEP 440 order: negative when `a < b`, 0 when equal (`1.0` and
 * `1.0.0` are equal), positive when `a > b`.
 *
 * @throws {EnvknitError} when either is not a valid version
 */
export function compareVersions(a: string, b: string): number {
  return pep<number>("version_compare", { a, b });
}

/**
 * The same version strings sorted in PEP 440 order (stable: equal versions keep their order).
 *
 * @throws {EnvknitError} when one of them is not a valid version
 */
export function sortVersions(versions: readonly string[]): string[] {
  return pep<string[]>("versions_sort", { versions });
}

/**
 * Whether `version` satisfies the comma-separated specifiers `spec` (`">=1.0, <2"`; `""`
 * allows everything), as `packaging`'s `SpecifierSet(spec).contains(version, prereleases)`.
 *
 * `prereleases: false` refuses every pre-release; `true` judges them like other versions;
 * left out, `packaging`'s default applies, which for a single candidate admits a pre-release
 * (PEP 440 accepts pre-releases when no final release is available). A `version` that is not a
 * valid version only matches `===` specifiers (and the empty set), as in `packaging`.
 *
 * @throws {EnvknitError} when `spec` is not a valid specifier set
 */
export function specifierContains(
  spec: string,
  version: string,
  opts: { prereleases?: boolean } = {},
): boolean {
  return pep<boolean>("specifier_contains", {
    specifier: spec,
    version,
    prereleases: opts.prereleases ?? null,
  });
}

/**
 * The PEP 503 normal form of a project or extra name (`Foo.Bar_baz` → `foo-bar-baz`), validated.
 *
 * Computed by the WebAssembly module, so it loads it. Unlike the plain-JavaScript `normalizeName`
 * of `core/names.ts` (same result for a valid name, but any string gets one: `"-x-"` stays
 * `"-x-"`), it refuses what is not a name, which is what user input needs (the names given to `envknit
 * remove`, `pin`, `upgrade`, `why`: `foo bar` is an error, not a name). Paths that must not load the resolver (`install`, `run`, the
 * index client) use the plain form on names already known to be valid.
 *
 * @throws {EnvknitError} when `name` is not a valid name (ASCII letters and digits, with `.`,
 * `_` or `-` between them)
 */
export function normalizeName(name: string): string {
  return pep<string>("name_normalize", { name });
}

/**
 * Parses a PEP 508 requirement (`Foo[bar] (>=1.0) ; python_version >= "3.8"`) into its
 * normalized parts.
 *
 * @throws {EnvknitError} when it is not a valid requirement, or is a direct URL reference
 * (`name @ https://…`), which envknit does not support
 */
export function parseRequirement(requirement: string): Requirement {
  const parsed = pep<Requirement & { normalized: string }>("requirement_parse", { requirement });
  return {
    name: parsed.name,
    extras: parsed.extras,
    specifier: parsed.specifier,
    marker: parsed.marker,
  };
}

/**
 * Evaluates a PEP 508 marker (`python_version >= "3.8" and sys_platform == "linux"`) in `env`,
 * with the requested `extras` (for `extra == "name"`; any spelling of the names).
 *
 * @throws {EnvknitError} when the marker is invalid or cannot be evaluated as `packaging` would
 * refuse it (e.g. `os_name ~= "posix"`)
 */
export function evaluateMarker(
  marker: string,
  env: MarkerEnvironment,
  extras: readonly string[] = [],
): boolean {
  return pep<boolean>("marker_evaluate", { marker, environment: env, extras });
}
