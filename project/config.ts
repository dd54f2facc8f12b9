/**
 * The project file `envknit.yaml` (EnvKnit-compatible, DESIGN.md): finding it, reading it with
 * positions in every error, editing it with comments kept, and hashing its inputs for
 * `envknit check`.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  parseYamlFile,
  type YamlFile,
  type YAMLMap,
} from "../core/yaml.ts";
import { writeFileAtomicSync } from "../core/atomic_write.ts";
import { parseThroughCache } from "./parse_cache.ts";
import { ENVKNIT_VERSION } from "../core/version.ts";
import { sha256Hex } from "../core/sha256.ts";
import { didYouMean } from "../core/suggest.ts";
import { normalizeName } from "../core/names.ts";

/** The project file's name. */
export const CONFIG_FILENAME = "envknit.yaml";

/** One environment of the project. */
export interface EnvironmentConfig {
  name: string;
  /** Target Python version, e.g. "3.11". */
  pythonVersion?: string;
  /** PEP 508 requirement strings. */
  packages: string[];
  /** PEP 508 requirement strings needed only for development. */
  devPackages: string[];
  /**
   * `allow_multiple`: the packages that may have several versions in the environment, as
   * normalized names (islands, issue #16), or `"auto"` (any package whose wheels are all pure
   * Python). Absent: none (a conflict is an error).
   */
  allowMultiple?: "auto" | string[];
  /**
   * `<path>:<line>:<col>` of each requirement string of `packages` and `dev_packages`, for
   * messages (absent for a config not read from a file).
   */
  requirementsWhere?: Record<string, string>;
}

/** Where packages come from. */
export interface IndexConfig {
  /** The main index; PyPI's simple API when absent. */
  url?: string;
  extraUrls: string[];
  /** Folders of wheels, as absolute paths (relative ones are taken from the project folder). */
  findLinks: string[];
  /** The find_links entries as written, for the portable config hash. */
  findLinksAsWritten: string[];
}

/**
 * One entry of `targets:` (a machine the lock must serve, issue #17). Its Python is checked here
 * (`X.Y`); its platform by `ops/lock/lock_targets.ts`, which knows the platform tags.
 */
export interface TargetConfig {
  /** `X.Y` (`3.13t`: free-threaded), as written (`3.10`, not the number 3.1). */
  python: string;
  /** A wheel platform tag (`manylinux_2_28_x86_64`, `win_amd64`, `macosx_14_0_arm64`) or name. */
  platform: string;
  /** `<path>:<line>:<col>` of the entry, its `python` and its `platform`, for messages. */
  where: string;
  pythonWhere: string;
  platformWhere: string;
}

/** When pre-releases are candidates (`prerelease:`; the default is the first). */
export const PRERELEASE_MODES = ["if-necessary-or-explicit", "allow", "disallow"] as const;
/** One of {@link PRERELEASE_MODES}. */
export type PrereleaseMode = (typeof PRERELEASE_MODES)[number];

/**
 * The resolver settings of the project (issue #17.5): every `lock`, and the re-locks of `add`,
 * `remove`, `pin` and `upgrade`, use them; the command line overrides them for one run.
 */
export interface ResolverSettings {
  /** `prerelease:`; absent: if-necessary-or-explicit. */
  prerelease?: PrereleaseMode;
  /** `no_binary:` project names (normalized later) or `:all:`; absent: none. */
  noBinary?: string[];
  /** `any_wheel: true`; absent: false. */
  anyWheel?: boolean;
}

/** A loaded envknit.yaml. */
export interface ProjectConfig {
  /** Absolute path of envknit.yaml. */
  path: string;
  /** Its folder: the project root, where the lock lives. */
  dir: string;
  envknitVersion: string;
  index: IndexConfig;
  environments: Record<string, EnvironmentConfig>;
  /** `targets:`, the machines the lock serves; absent or empty: this machine. */
  targets?: TargetConfig[];
  /** `prerelease`, `no_binary`, `any_wheel`; absent: the defaults. */
  resolver?: ResolverSettings;
}

/** A loaded envknit.yaml with its parsed document, for edits that keep comments. */
export interface EditableConfig extends ProjectConfig {
  document: Document;
}

/**
 * The keys envknit.yaml knows, per level. Any other key is an error naming the closest known one
 * (a typo must not silently drop what it was meant to set): a new setting is one line here, plus
 * its reading below.
 */
const TOP_LEVEL_KEYS: readonly string[] = [
  "envknit_version",
  "index",
  "environments",
  "targets",
  "prerelease",
  "no_binary",
  "any_wheel",
];
const TARGET_KEYS: readonly string[] = ["python", "platform"];

/** The accepted forms of a target, for error hints (the same in `ops/lock/lock_targets.ts`). */
export const TARGET_FORMS: readonly string[] = [
  'a target is {python: "X.Y", platform: TAG}, e.g. {python: "3.12", platform: win_amd64}',
  "python: a major.minor version such as 3.12 (3.13t: free-threaded)",
  "platform: a wheel platform tag such as manylinux_2_28_x86_64, musllinux_1_2_aarch64, " +
  "macosx_14_0_arm64, win_amd64, win32, win_arm64, or a target such as x86_64-unknown-linux-gnu",
];
const INDEX_KEYS: readonly string[] = [
  "url",
  "extra_urls",
  "find_links",
];
const ENVIRONMENT_KEYS: readonly string[] = [
  "python_version",
  "packages",
  "dev_packages",
  "allow_multiple",
  // EnvKnit's (it selects a Node.js for scripts); envknit accepts and ignores it.
  "node_version",
];

/** Environment names become YAML keys, CLI arguments and runtime identifiers: keep them plain. */
const ENV_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const PYTHON_VERSION = /^\d+\.\d+(\.\d+)?$/;
/** A valid project name (PEP 508). */
const PROJECT_NAME = /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

/** Finds envknit.yaml in `cwd` or the nearest parent folder; null when there is none. */
export async function findConfig(cwd: string): Promise<string | null> {
  let dir = cwd.replace(/\/+$/, "") || "/";
  while (true) {
    const candidate = `${dir === "/" ? "" : dir}/${CONFIG_FILENAME}`;
    try {
      if ((await Deno.stat(candidate)).isFile) return candidate;
    } catch {
      // not here: go up
    }
    if (dir === "/") return null;
    dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
  }
}

/** Finds and loads the project of `cwd`, or says how to create one. */
export async function loadProject(cwd: string): Promise<EditableConfig> {
  const path = await findConfig(cwd);
  if (!path) {
    throw new EnvknitError(`no ${CONFIG_FILENAME} in ${cwd} or any parent folder`, {
      hints: ["create one with 'envknit init'"],
    });
  }
  return await loadConfig(path);
}

async function readConfigText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new EnvknitError(
      `cannot read ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** Reads and validates envknit.yaml at `path`, with its document for edits. */
export async function loadConfig(path: string): Promise<EditableConfig> {
  return await parseConfig(await readConfigText(path), path);
}

/**
 * Reads and validates envknit.yaml at `path` through the parse cache in `cacheDir` (see
 * `parse_cache.ts`), for commands that only read it: an unchanged file costs no YAML parsing.
 */
export async function readConfig(path: string, cacheDir: string | null): Promise<ProjectConfig> {
  const text = await readConfigText(path);
  const parsed = await parseThroughCache({
    kind: "config",
    path,
    text,
    dir: cacheDir,
    parse: async () => {
      const { document: _, ...config } = await parseConfig(text, path);
      return config;
    },
    // Credentials in an index URL never reach the cache: such a file is parsed every time.
    mayKeep: (config) => !holdsCredentials(config),
  });
  await parsed.remember();
  return parsed.value;
}

/** Whether an index URL of `config` carries a user or password (`https://user:pass@host/`). */
export function holdsCredentials(config: ProjectConfig): boolean {
  const urls = [config.index.url, ...config.index.extraUrls].filter((u) => u !== undefined);
  return urls.some((url) => /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/.test(url!));
}

/** Parses envknit.yaml text; errors carry `<path>:<line>:<col>`. */
export async function parseConfig(text: string, path: string): Promise<EditableConfig> {
  const file = await parseYamlFile(text, path);
  const { doc } = file;
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  const root = doc.contents;
  if (root === null || root === undefined) return emptyConfig(path, dir, doc);
  if (!isMap(root)) {
    throw new EnvknitError(`${file.where(root)}: expected a mapping at the top level`);
  }
  checkKeys(file, root, TOP_LEVEL_KEYS, "", "the top level");

  const envknitVersion = optionalString(file, root, "envknit_version") ?? ENVKNIT_VERSION;
  const index = parseIndex(file, root.get("index", true), dir);

  const environments: Record<string, EnvironmentConfig> = {};
  const envs = root.get("environments", true);
  if (envs !== undefined && envs !== null && !(isScalar(envs) && envs.value === null)) {
    if (!isMap(envs)) {
      throw new EnvknitError(`${file.where(envs)}: 'environments' must be a mapping`);
    }
    for (const pair of envs.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!ENV_NAME.test(name)) {
        throw new EnvknitError(
          `${file.where(pair.key)}: invalid environment name ${JSON.stringify(name)}`,
          {
            hints: ["use letters, digits, '_', '.' and '-'"],
          },
        );
      }
      environments[name] = parseEnvironment(file, name, pair.value);
    }
  }
  const config: EditableConfig = { path, dir, envknitVersion, index, environments, document: doc };
  const targets = parseTargets(file, root.get("targets", true));
  if (targets.length) config.targets = targets;
  const resolver = parseResolverSettings(file, root);
  if (Object.keys(resolver).length) config.resolver = resolver;
  return config;
}

function isNull(node: unknown): boolean {
  return node === undefined || node === null || (isScalar(node) && node.value === null);
}

/** `targets:`: a list of `{python: "X.Y", platform: TAG}` (the platform is checked in ops/). */
function parseTargets(file: YamlFile, node: unknown): TargetConfig[] {
  if (isNull(node)) return [];
  if (!isSeq(node)) {
    throw new EnvknitError(`${file.where(node)}: 'targets' must be a list of targets`, {
      hints: [...TARGET_FORMS],
    });
  }
  return node.items.map((item, i) => {
    if (!isMap(item)) {
      throw new EnvknitError(
        `${file.where(item)}: targets[${i}] must be a mapping {python: "X.Y", platform: TAG}`,
        { hints: [...TARGET_FORMS] },
      );
    }
    checkKeys(file, item, TARGET_KEYS, "", `targets[${i}]`, ` in targets[${i}]`);
    const field = (key: string) => {
      const value = item.get(key, true);
      if (isNull(value)) {
        throw new EnvknitError(`${file.where(item)}: targets[${i}] has no '${key}'`, {
          hints: [...TARGET_FORMS],
        });
      }
      if (!isScalar(value) || typeof value.value === "object" || typeof value.value === "boolean") {
        throw new EnvknitError(`${file.where(value)}: targets[${i}].${key} must be a string`, {
          hints: [...TARGET_FORMS],
        });
      }
      // `python: 3.10` unquoted is the number 3.1 to YAML: what was written counts.
      const text = typeof value.value === "number" && typeof value.source === "string"
        ? value.source
        : String(value.value);
      return { text: text.trim(), where: file.where(value) };
    };
    const python = field("python");
    const platform = field("platform");
    if (!/^\d+\.\d+t?$/.test(python.text)) {
      throw new EnvknitError(
        `${python.where}: targets[${i}].python: ${
          JSON.stringify(python.text)
        } is not a Python version X.Y`,
        { hints: [...TARGET_FORMS] },
      );
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(platform.text)) {
      throw new EnvknitError(
        `${platform.where}: targets[${i}].platform: ${
          JSON.stringify(platform.text)
        } is not a platform tag`,
        { hints: [...TARGET_FORMS] },
      );
    }
    return {
      python: python.text,
      platform: platform.text,
      where: file.where(item),
      pythonWhere: python.where,
      platformWhere: platform.where,
    };
  });
}

/** `prerelease`, `no_binary`, `any_wheel` (the settings `lock --prerelease` etc. override). */
function parseResolverSettings(file: YamlFile, root: YAMLMap): ResolverSettings {
  const settings: ResolverSettings = {};
  const pre = root.get("prerelease", true);
  if (!isNull(pre)) {
    const value = isScalar(pre) ? String(pre.value) : "";
    const mode = PRERELEASE_MODES.find((m) => m === value);
    if (!mode) {
      throw new EnvknitError(
        `${file.where(pre)}: 'prerelease' must be one of ${PRERELEASE_MODES.join(", ")}, not ${
          JSON.stringify(isScalar(pre) ? pre.value : "a collection")
        }` + didYouMean(value, PRERELEASE_MODES),
      );
    }
    settings.prerelease = mode;
  }
  const noBinary = root.get("no_binary", true);
  if (!isNull(noBinary)) {
    const names = isScalar(noBinary) && typeof noBinary.value === "string"
      ? [[noBinary.value, noBinary] as [string, unknown]]
      : stringList(file, root, "no_binary");
    settings.noBinary = names.map(([name, at]) => {
      const n = name.trim();
      if (n !== ":all:" && !/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(n)) {
        throw new EnvknitError(
          `${file.where(at)}: 'no_binary' takes project names or ':all:', not ${JSON.stringify(n)}`,
        );
      }
      return n;
    });
  }
  const anyWheel = root.get("any_wheel", true);
  if (!isNull(anyWheel)) {
    if (!isScalar(anyWheel) || typeof anyWheel.value !== "boolean") {
      throw new EnvknitError(`${file.where(anyWheel)}: 'any_wheel' must be true or false`);
    }
    if (anyWheel.value) settings.anyWheel = true;
  }
  return settings;
}

function emptyConfig(path: string, dir: string, document: Document): EditableConfig {
  return {
    path,
    dir,
    envknitVersion: ENVKNIT_VERSION,
    index: { extraUrls: [], findLinks: [], findLinksAsWritten: [] },
    environments: {},
    document,
  };
}

function parseIndex(file: YamlFile, node: unknown, dir: string): IndexConfig {
  const index: IndexConfig = { extraUrls: [], findLinks: [], findLinksAsWritten: [] };
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return index;
  if (!isMap(node)) throw new EnvknitError(`${file.where(node)}: 'index' must be a mapping`);
  checkKeys(file, node, INDEX_KEYS, "index.", "index");
  const url = optionalString(file, node, "url");
  if (url !== undefined) index.url = checkIndexUrl(file, node.get("url", true), url);
  const extra = stringList(file, node, "extra_urls");
  index.extraUrls = extra.map(([value, at]) => checkIndexUrl(file, at, value));
  for (const [value] of stringList(file, node, "find_links")) {
    index.findLinksAsWritten.push(value);
    index.findLinks.push(value.startsWith("/") ? value : `${dir}/${value}`.replace(/\/\.\//g, "/"));
  }
  return index;
}

function checkIndexUrl(file: YamlFile, at: unknown, url: string): string {
  try {
    const parsed = new URL(url);
    if (["http:", "https:", "file:"].includes(parsed.protocol)) return url;
  } catch {
    // reported below
  }
  throw new EnvknitError(`${file.where(at)}: ${JSON.stringify(url)} is not an http(s) or file URL`);
}

function parseEnvironment(file: YamlFile, name: string, node: unknown): EnvironmentConfig {
  const env: EnvironmentConfig = { name, packages: [], devPackages: [] };
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return env;
  if (!isMap(node)) {
    throw new EnvknitError(`${file.where(node)}: environment '${name}' must be a mapping`);
  }
  checkKeys(file, node, ENVIRONMENT_KEYS, "", `environment '${name}'`, ` in environment '${name}'`);
  const python = node.get("python_version", true);
  if (python !== undefined) {
    const value = isScalar(python) ? String(python.value) : "";
    if (!PYTHON_VERSION.test(value)) {
      throw new EnvknitError(
        `${file.where(python)}: python_version must look like "3.11", got ${JSON.stringify(value)}`,
      );
    }
    env.pythonVersion = value;
  }
  const where: Record<string, string> = {};
  env.packages = packageList(file, node, "packages", where);
  env.devPackages = packageList(file, node, "dev_packages", where);
  if (Object.keys(where).length) env.requirementsWhere = where;
  const allow = allowMultiple(file, node);
  if (allow !== undefined) env.allowMultiple = allow;
  return env;
}

/**
 * `allow_multiple`: `auto`, or a list of project names (normalized, first spelling kept once); a
 * name that is not a valid project name is an error at its line and column.
 */
function allowMultiple(file: YamlFile, env: YAMLMap): "auto" | string[] | undefined {
  const node = env.get("allow_multiple", true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) {
    return undefined;
  }
  if (isScalar(node) && node.value === "auto") return "auto";
  if (!isSeq(node)) {
    throw new EnvknitError(
      `${file.where(node)}: 'allow_multiple' must be 'auto' or a list of package names`,
      { hints: ["e.g. 'allow_multiple: [tabular]'"] },
    );
  }
  const names: string[] = [];
  for (const item of node.items) {
    const value = isScalar(item) && typeof item.value === "string" ? item.value.trim() : null;
    if (value === null || !PROJECT_NAME.test(value)) {
      const shown = isScalar(item) ? JSON.stringify(item.value) : "this item";
      throw new EnvknitError(
        `${file.where(item)}: ${shown} in 'allow_multiple' is not a valid package name`,
        {
          hints: [
            "list project names, e.g. 'allow_multiple: [tabular]', or write 'allow_multiple: auto'",
          ],
        },
      );
    }
    const name = normalizeName(value);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Throws for the first key of `map` that is not in `known`, at its line and column, with the
 * closest known key when one is near (`environment` → `environments`). `prefix` goes before the key
 * in the message (`index.`), `suffix` after it; `place` names the mapping in the hint.
 */
function checkKeys(
  file: YamlFile,
  map: YAMLMap,
  known: readonly string[],
  prefix: string,
  place: string,
  suffix = "",
): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (known.includes(key)) continue;
    throw new EnvknitError(
      `${file.where(pair.key)}: unknown key '${prefix}${key}'${suffix}` +
        didYouMean(key, known, prefix),
      { hints: [`${place} takes ${known.map((k) => `'${k}'`).join(", ")}`] },
    );
  }
}

/** Reads a list of packages: PEP 508 strings or `{name, version, extras}` mappings. */
function packageList(
  file: YamlFile,
  env: YAMLMap,
  key: string,
  where: Record<string, string> = {},
): string[] {
  const node = env.get(key, true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) throw new EnvknitError(`${file.where(node)}: '${key}' must be a list`);
  return node.items.map((item) => {
    if (isScalar(item) && typeof item.value === "string" && item.value.trim() !== "") {
      where[item.value.trim()] ??= file.where(item);
      return item.value.trim();
    }
    if (isMap(item)) {
      const requirement = requirementFromMapping(file, item);
      where[requirement] ??= file.where(item);
      return requirement;
    }
    throw new EnvknitError(
      `${file.where(item)}: a package is a requirement string or {name, version, extras}`,
    );
  });
}

function requirementFromMapping(file: YamlFile, item: YAMLMap): string {
  const name = optionalString(file, item, "name");
  if (!name) throw new EnvknitError(`${file.where(item)}: a package mapping needs a 'name'`);
  const version = optionalString(file, item, "version")?.trim() ?? "";
  const extras = stringList(file, item, "extras").map(([e]) => e);
  const spec = version === "" || version === "*"
    ? ""
    : /^[=<>!~]/.test(version)
    ? version
    : `==${version}`;
  return `${name}${extras.length ? `[${extras.join(",")}]` : ""}${spec}`;
}

function optionalString(file: YamlFile, map: YAMLMap, key: string): string | undefined {
  const node = map.get(key, true);
  if (node === undefined || node === null) return undefined;
  if (!isScalar(node) || node.value === null || typeof node.value === "object") {
    throw new EnvknitError(`${file.where(node ?? map)}: '${key}' must be a string`);
  }
  return String(node.value);
}

function stringList(file: YamlFile, map: YAMLMap, key: string): [string, unknown][] {
  const node = map.get(key, true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) throw new EnvknitError(`${file.where(node)}: '${key}' must be a list`);
  return node.items.map((item) => {
    if (!isScalar(item) || typeof item.value !== "string") {
      throw new EnvknitError(`${file.where(item)}: '${key}' entries must be strings`);
    }
    return [item.value, item];
  });
}

/**
 * sha256 (hex) of the inputs that decide a lock: the index settings as written, every
 * environment's python_version and requirements, and the targets and resolver settings when set.
 * Formatting and comments do not change it.
 */
export async function configHash(config: ProjectConfig): Promise<string> {
  const envs = Object.keys(config.environments).sort().map((name) => {
    const e = config.environments[name];
    const inputs: unknown[] = [name, e.pythonVersion ?? null, e.packages, e.devPackages];
    // Only when set, so the hash of every project without it is unchanged.
    if (e.allowMultiple !== undefined) inputs.push({ allow_multiple: e.allowMultiple });
    return inputs;
  });
  const inputs: Record<string, unknown> = {
    index: [config.index.url ?? null, config.index.extraUrls, config.index.findLinksAsWritten],
    environments: envs,
  };
  // Only when set, so the hash of a project without them stays what it was.
  if (config.targets?.length) inputs.targets = config.targets.map((t) => [t.python, t.platform]);
  const r = config.resolver;
  if (r?.prerelease) inputs.prerelease = r.prerelease;
  if (r?.noBinary?.length) inputs.noBinary = r.noBinary;
  if (r?.anyWheel) inputs.anyWheel = true;
  return await sha256Hex(JSON.stringify(inputs));
}

/** The text of a new envknit.yaml. */
export function initialConfigText(
  options: { pythonVersion?: string; indexUrl?: string } = {},
): string {
  const lines = [
    "# envknit.yaml: the packages of this project, per environment.",
    "# 'envknit lock' resolves them into envknit.lock.yaml; 'envknit install' puts them in the store.",
    `envknit_version: "${ENVKNIT_VERSION}"`,
  ];
  if (options.indexUrl) lines.push("index:", `  url: ${JSON.stringify(options.indexUrl)}`);
  lines.push("environments:", "  default:");
  if (options.pythonVersion) lines.push(`    python_version: "${options.pythonVersion}"`);
  lines.push("    packages: []", "    dev_packages: []");
  return lines.join("\n") + "\n";
}

/**
 * The text of an (edited) envknit.yaml document. Flow lists and maps stay as users write them
 * (and as envknit's hints say): `allow_multiple: [tabular]`, not `[ tabular ]`.
 */
export function documentText(document: EditableConfig["document"]): string {
  return document.toString({ flowCollectionPadding: false });
}

/** Writes the (edited) document back atomically, comments and layout kept. */
export function saveConfig(config: EditableConfig): Promise<void> {
  writeFileAtomicSync(config.path, documentText(config.document));
  return Promise.resolve();
}
