/**
 * Loads packse dependency-resolution scenarios (`$ENVKNIT_PACKSE_DIR/scenarios`, by default
 * `../shared/packse/scenarios` beside the repository; format in the `README.md` beside them) as
 * typed objects with the README's defaults applied, and turns a scenario into wheels (and sdist
 * listings) for the loopback index. Tests that need the scenarios register with `packse.test`, so
 * a clone without them skips those tests with one line saying why.
 *
 * ```ts
 * const scenarios = await loadScenarios();                    // every *.toml, sorted
 * const files = await scenarioFiles(scenarios[0], { prefix: "s0-" });
 * const index = await startIndex({ projects: files.projects });
 * ```
 *
 * @module
 */
import { parse as parseToml } from "smol-toml";
import { normalizeName } from "../../core/names.ts";
import { buildSdist, buildWheel, type BuiltFile } from "./wheel_factory.ts";

/** One version of a package in a scenario, with defaults applied. */
export interface PackseVersion {
  /** The version as the scenario writes it (`"1.0.0"`, `"1.2.3+foo"`). */
  version: string;
  /** Requirements (PEP 508) of this version. */
  requires: string[];
  /** Extras: name → requirements they add. */
  extras: Record<string, string[]>;
  /** Requires-Python; `">=3.12"` when the scenario does not say. */
  requiresPython: string;
  /** Whether a wheel exists (default true). */
  wheel: boolean;
  /** Whether an sdist exists (default true). */
  sdist: boolean;
  /** The tags of its wheels, one wheel per entry (default `["py3-none-any"]`). */
  wheelTags: string[];
  /** Whether the version is yanked (default false). */
  yanked: boolean;
}

/** Resolver options a scenario sets (`[resolver_options]`); absent ones are null or empty. */
export interface PackseResolverOptions {
  /** Allow pre-releases everywhere (`prereleases = true`); null when not set. */
  prereleases: boolean | null;
  /** Packages whose wheels must not be used. */
  noBinary: string[];
  /** Packages whose sdists must not be built. */
  noBuild: string[];
  /** The Python version to resolve for, instead of the environment's. */
  python: string | null;
  /** The target platform, e.g. `"x86_64-manylinux2014"`. */
  pythonPlatform: string | null;
  /** Resolve for every platform at once (forking by marker). */
  universal: boolean;
  /** Marker environments a universal resolution must cover. */
  requiredEnvironments: string[];
}

/** The expected outcome (`[expected]`). */
export interface PackseExpected {
  /** Whether a solution exists. */
  satisfiable: boolean;
  /** The solution, name → version, when the scenario gives one (else null). */
  packages: Record<string, string> | null;
  /** What the scenario is about, when it says. */
  explanation: string | null;
}

/** A loaded scenario. Package names are bare (`a`, `b`) as in the file. */
export interface PackseScenario {
  /** The scenario's `name` (the file name without `.toml` when the file has none). */
  name: string;
  /** The folder under the scenarios directory (`"fork"`, `"extras"`, …; `""` at the top). */
  category: string;
  /** The file it was loaded from. */
  path: string;
  /** Its description. */
  description: string;
  /** What to resolve: `[root]`. */
  root: {
    /** Requirements (PEP 508). */
    requires: string[];
    /** The project's own Requires-Python, when given. */
    requiresPython: string | null;
  };
  /** Packages: name → version → details. */
  packages: Record<string, Record<string, PackseVersion>>;
  /** The interpreter: `[environment]`. */
  environment: {
    /** Python version to resolve for (default `"3.12"`). */
    python: string;
    /** Other interpreters said to be available. */
    additionalPython: string[];
  };
  /** `[resolver_options]`. */
  resolverOptions: PackseResolverOptions;
  /** `[expected]`. */
  expected: PackseExpected;
}

/**
 * The packse folder (the one holding `scenarios/`): `$ENVKNIT_PACKSE_DIR` when set, else
 * `../shared/packse` beside the repository root.
 */
export const PACKSE_DIR: string = (Deno.env.get("ENVKNIT_PACKSE_DIR") || "").replace(/\/+$/, "") ||
  new URL("../../../shared/packse", import.meta.url).pathname;

/** The scenarios directory: `scenarios/` of {@link PACKSE_DIR}. */
export const SCENARIOS_DIR: string = `${PACKSE_DIR}/scenarios`;

/**
 * Whether a missing scenarios folder must fail the packse suites instead of skipping them: in CI
 * (`CI` set to anything but `false`/`0`) or with `ENVKNIT_REQUIRE_PACKSE=1`.
 */
export function packseRequired(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): boolean {
  const on = (v: string | undefined) => v !== undefined && !["", "0", "false"].includes(v);
  return on(env.CI) || on(env.ENVKNIT_REQUIRE_PACKSE);
}

/** The one line a suite prints when it skips for want of the scenarios. */
export function packseMissingLine(dir: string = SCENARIOS_DIR): string {
  return `packse scenarios not found at ${dir}: skipping the tests that need them ` +
    "(set ENVKNIT_PACKSE_DIR to a folder holding scenarios/, or put it at ../shared/packse; " +
    "see README, Test)";
}

function scenariosPresent(dir: string): boolean {
  try {
    return Deno.statSync(dir).isDirectory;
  } catch {
    return false;
  }
}

let warned = false;

/** Registration of the tests that read the packse scenarios. */
export const packse = {
  /**
   * `Deno.test` for a test that reads the packse scenarios: when {@link SCENARIOS_DIR} is
   * missing it is registered as ignored (skipped, and the file says why in one line), unless
   * {@link packseRequired}, where it runs and fails on the missing folder.
   */
  test(name: string, fn: () => Promise<void> | void): void {
    const skip = !scenariosPresent(SCENARIOS_DIR) && !packseRequired();
    if (skip && !warned) {
      warned = true;
      console.error(packseMissingLine());
    }
    Deno.test({ name, ignore: skip, fn });
  },
};

/** Raised for a scenario file that does not follow the format. */
export class ScenarioError extends Error {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "ScenarioError";
  }
}

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

class Reader {
  constructor(readonly path: string) {}

  fail(where: string, message: string): never {
    throw new ScenarioError(this.path, `${where}: ${message}`);
  }

  table(v: unknown, where: string, keys: string[]): Table {
    if (v === undefined) return {};
    if (!isTable(v)) this.fail(where, "must be a table");
    for (const key of Object.keys(v)) {
      if (!keys.includes(key)) this.fail(where, `unknown key ${JSON.stringify(key)}`);
    }
    return v;
  }

  string(v: unknown, where: string): string {
    if (typeof v !== "string") this.fail(where, "must be a string");
    return v;
  }

  optString(v: unknown, where: string): string | null {
    return v === undefined ? null : this.string(v, where);
  }

  bool(v: unknown, where: string, fallback: boolean): boolean {
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") this.fail(where, "must be true or false");
    return v;
  }

  strings(v: unknown, where: string, fallback: string[] = []): string[] {
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
      this.fail(where, "must be a list of strings");
    }
    return v as string[];
  }
}

/**
 * Parses one scenario from its text (TOML, or JSON when `path` ends in `.json`).
 *
 * @throws {ScenarioError} when it does not follow the format (unknown keys included)
 */
export function parseScenario(text: string, path: string, category = ""): PackseScenario {
  let data: unknown;
  try {
    data = path.endsWith(".json") ? JSON.parse(text) : parseToml(text);
  } catch (error) {
    throw new ScenarioError(path, (error as Error).message);
  }
  const r = new Reader(path);
  const top = r.table(data, "scenario", [
    "name",
    "description",
    "root",
    "packages",
    "environment",
    "resolver_options",
    "expected",
  ]);
  const root = r.table(top.root, "[root]", ["requires", "requires_python"]);
  const env = r.table(top.environment, "[environment]", ["python", "additional_python"]);
  const opts = r.table(top.resolver_options, "[resolver_options]", [
    "prereleases",
    "no_binary",
    "no_build",
    "python",
    "python_platform",
    "universal",
    "required_environments",
  ]);
  const expected = r.table(top.expected, "[expected]", ["satisfiable", "packages", "explanation"]);
  if (expected.packages !== undefined && !isTable(expected.packages)) {
    r.fail("[expected.packages]", "must be a table");
  }
  const expectedPackages = expected.packages === undefined ? null : Object.fromEntries(
    Object.entries(expected.packages as Table).map((
      [name, v],
    ) => [name, r.string(v, `[expected.packages] ${name}`)]),
  );
  if (typeof expected.satisfiable !== "boolean") {
    r.fail("[expected]", "satisfiable must be true or false");
  }

  const packages: Record<string, Record<string, PackseVersion>> = {};
  const pkgs = isTable(top.packages) ? top.packages : r.table(top.packages, "[packages]", []);
  for (const [name, pkgValue] of Object.entries(pkgs)) {
    const where = `[packages.${name}]`;
    const pkg = r.table(pkgValue, where, ["versions"]);
    const versions = isTable(pkg.versions) ? pkg.versions : r.table(pkg.versions, where, []);
    packages[name] = {};
    for (const [version, value] of Object.entries(versions)) {
      const vw = `[packages.${name}.versions."${version}"]`;
      const v = r.table(value, vw, [
        "requires",
        "extras",
        "requires_python",
        "wheel",
        "sdist",
        "wheel_tags",
        "yanked",
      ]);
      const extrasTable = isTable(v.extras) ? v.extras : r.table(v.extras, `${vw} extras`, []);
      packages[name][version] = {
        version,
        requires: r.strings(v.requires, `${vw} requires`),
        extras: Object.fromEntries(
          Object.entries(extrasTable).map(([extra, reqs]) => [
            extra,
            r.strings(reqs, `${vw} extras.${extra}`),
          ]),
        ),
        requiresPython: r.optString(v.requires_python, `${vw} requires_python`) ?? ">=3.12",
        wheel: r.bool(v.wheel, `${vw} wheel`, true),
        sdist: r.bool(v.sdist, `${vw} sdist`, true),
        wheelTags: r.strings(v.wheel_tags, `${vw} wheel_tags`, ["py3-none-any"]),
        yanked: r.bool(v.yanked, `${vw} yanked`, false),
      };
    }
  }

  const stem = path.split("/").pop()!.replace(/\.(toml|json)$/, "");
  return {
    name: r.optString(top.name, "name") ?? stem,
    category,
    path,
    description: r.optString(top.description, "description") ?? "",
    root: {
      requires: r.strings(root.requires, "[root] requires"),
      requiresPython: r.optString(root.requires_python, "[root] requires_python"),
    },
    packages,
    environment: {
      python: r.optString(env.python, "[environment] python") ?? "3.12",
      additionalPython: r.strings(env.additional_python, "[environment] additional_python"),
    },
    resolverOptions: {
      prereleases: opts.prereleases === undefined
        ? null
        : r.bool(opts.prereleases, "[resolver_options] prereleases", false),
      noBinary: r.strings(opts.no_binary, "[resolver_options] no_binary"),
      noBuild: r.strings(opts.no_build, "[resolver_options] no_build"),
      python: r.optString(opts.python, "[resolver_options] python"),
      pythonPlatform: r.optString(opts.python_platform, "[resolver_options] python_platform"),
      universal: r.bool(opts.universal, "[resolver_options] universal", false),
      requiredEnvironments: r.strings(
        opts.required_environments,
        "[resolver_options] required_environments",
      ),
    },
    expected: {
      satisfiable: expected.satisfiable as boolean,
      packages: expectedPackages,
      explanation: r.optString(expected.explanation, "[expected] explanation"),
    },
  };
}

/**
 * Loads one scenario file. `category` defaults to the name of the folder holding it.
 *
 * @throws {ScenarioError} when it does not follow the format
 */
export async function loadScenario(path: string, category?: string): Promise<PackseScenario> {
  const parts = path.split("/");
  return parseScenario(await Deno.readTextFile(path), path, category ?? parts.at(-2) ?? "");
}

/**
 * Loads every `*.toml` scenario under `dir` (default {@link SCENARIOS_DIR}), recursively, sorted by
 * category then file name. `category` is the folder path relative to `dir`.
 */
export async function loadScenarios(dir: string = SCENARIOS_DIR): Promise<PackseScenario[]> {
  const found: [string, string][] = [];
  const walk = async (folder: string, category: string) => {
    for await (const entry of Deno.readDir(folder)) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) await walk(path, category ? `${category}/${entry.name}` : entry.name);
      else if (entry.isFile && entry.name.endsWith(".toml")) found.push([category, path]);
    }
  };
  try {
    await walk(dir.replace(/\/+$/, ""), "");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      `packse scenarios not found at ${dir}: set ENVKNIT_PACKSE_DIR to a folder holding ` +
        "scenarios/, or put it at ../shared/packse (see README, Test)",
    );
  }
  found.sort(([ca, pa], [cb, pb]) => ca < cb ? -1 : ca > cb ? 1 : pa < pb ? -1 : pa > pb ? 1 : 0);
  return await Promise.all(found.map(([category, path]) => loadScenario(path, category)));
}

/** Adds `prefix` to the project name a PEP 508 requirement starts with (`a[x]>=1` → `p-a[x]>=1`). */
export function prefixRequirement(requirement: string, prefix: string): string {
  return requirement.replace(/^(\s*)([A-Za-z0-9][A-Za-z0-9._-]*)/, `$1${prefix}$2`);
}

/** A file of a scenario, ready for the loopback index (`yanked` as the scenario says). */
export interface ScenarioFile extends BuiltFile {
  /** Whether the index lists the file as yanked. */
  yanked: boolean;
}

/** Options of {@link scenarioFiles}. */
export interface ScenarioFilesOptions {
  /**
   * Prepended, as it is, to every package name (`"s1-"` makes `a` into `s1-a`), in project
   * names, requirements, extras and the expected solution. Default: none.
   */
  prefix?: string;
  /** Compression of the wheels (default `"store"`: fastest, and as valid). */
  compression?: "deflate" | "store";
}

/** A scenario's files and its names after prefixing. */
export interface ScenarioFiles {
  /** Project name (prefixed, as in the scenario otherwise) → files, for `startIndex`. */
  projects: Record<string, ScenarioFile[]>;
  /** The root requirements, prefixed. */
  requires: string[];
  /** The expected solution with prefixed, PEP 503-normalized names (null when not given). */
  expected: Record<string, string> | null;
  /** The prefixed name of a bare scenario package name. */
  name(bare: string): string;
}

/** Requires-Dist for a version: its requirements, then each extra's with `extra == "…"` added. */
export function requiresDist(version: PackseVersion, prefix = ""): string[] {
  const out = version.requires.map((r) => prefixRequirement(r, prefix));
  for (const [extra, reqs] of Object.entries(version.extras)) {
    for (const req of reqs) {
      const at = req.indexOf(";");
      const base = prefixRequirement(at < 0 ? req : req.slice(0, at), prefix).trim();
      const marker = at < 0 ? "" : req.slice(at + 1).trim();
      out.push(
        marker ? `${base} ; (${marker}) and extra == "${extra}"` : `${base} ; extra == "${extra}"`,
      );
    }
  }
  return out;
}

/**
 * Builds the wheels (one per wheel tag) and sdists of every version in a scenario, as the scenario
 * describes them (Requires-Dist, Provides-Extra, Requires-Python, yanked).
 */
export async function scenarioFiles(
  scenario: PackseScenario,
  options: ScenarioFilesOptions = {},
): Promise<ScenarioFiles> {
  const prefix = options.prefix ?? "";
  const projects: Record<string, ScenarioFile[]> = {};
  const jobs: Promise<void>[] = [];
  for (const [bare, versions] of Object.entries(scenario.packages)) {
    const name = prefix + bare;
    const files: ScenarioFile[] = projects[name] = [];
    for (const v of Object.values(versions)) {
      const common = {
        name,
        version: v.version,
        requiresPython: v.requiresPython,
        requiresDist: requiresDist(v, prefix),
        providesExtra: Object.keys(v.extras),
      };
      if (v.wheel) {
        for (const tag of v.wheelTags) {
          jobs.push(
            buildWheel({
              ...common,
              tags: [tag],
              compression: options.compression ?? "store",
            }).then((wheel) => void files.push({ ...wheel, yanked: v.yanked })),
          );
        }
      }
      if (v.sdist) {
        jobs.push(
          buildSdist(common).then((sdist) => void files.push({ ...sdist, yanked: v.yanked })),
        );
      }
    }
  }
  await Promise.all(jobs);
  for (const files of Object.values(projects)) {
    files.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  }
  const expected = scenario.expected.packages === null ? null : Object.fromEntries(
    Object.entries(scenario.expected.packages).map(([n, v]) => [normalizeName(prefix + n), v]),
  );
  return {
    projects,
    requires: scenario.root.requires.map((r) => prefixRequirement(r, prefix)),
    expected,
    name: (bare) => prefix + bare,
  };
}
