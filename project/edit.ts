/**
 * Edits of envknit.yaml that keep the user's comments, key order and list style: environments
 * (`envknit env create/remove`) and their requirements (`envknit add/remove/pin`). Requirement
 * names are compared after PEP 503 normalization.
 *
 * Every edit works on `config.document` (the yaml Document of {@link EditableConfig}); then
 * {@link checkEdited} parses the edited text again, so nothing invalid is ever saved, and
 * `saveConfig` writes it.
 *
 * @module
 */
import { documentText, type EditableConfig, parseConfig, type ProjectConfig } from "./config.ts";
import { EnvknitError, UsageError } from "../core/errors.ts";
import { isMap, isScalar, isSeq, type Scalar, type YAMLMap, type YAMLSeq } from "../core/yaml.ts";
import { parseRequirement } from "../resolver/mod.ts";

/** The rule config.ts applies to environment names, checked here first for a plainer message. */
const ENV_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const PYTHON_VERSION = /^\d+\.\d+(\.\d+)?$/;

/** Throws a usage error unless `name` can name an environment. */
export function checkEnvironmentName(name: string): void {
  if (!ENV_NAME.test(name)) {
    throw new UsageError(`invalid environment name ${JSON.stringify(name)}`, {
      hints: ["use letters, digits, '_', '.' and '-' (not first)"],
    });
  }
}

/** The `environments` mapping of the document, created (as a block mapping) when `create`. */
function environmentsNode(config: EditableConfig, create: boolean): YAMLMap | null {
  const doc = config.document;
  if (doc.contents === null || doc.contents === undefined) {
    if (!create) return null;
    (doc as { contents: unknown }).contents = doc.createNode({});
  }
  const root = doc.contents;
  if (!isMap(root)) throw new EnvknitError(`${config.path}: expected a mapping at the top level`);
  const envs = root.get("environments", true);
  if (isMap(envs)) return envs;
  if (envs !== undefined && !(isScalar(envs) && envs.value === null)) {
    throw new EnvknitError(`${config.path}: 'environments' must be a mapping`);
  }
  if (!create) return null;
  const node = doc.createNode({}) as YAMLMap;
  root.set("environments", node);
  return node;
}

/** The mapping of environment `name`, or null when it is not in the document. */
function environmentNode(config: EditableConfig, name: string, create: boolean): YAMLMap | null {
  const envs = environmentsNode(config, create);
  if (!envs) return null;
  const node = envs.get(name, true);
  if (isMap(node)) return node;
  if (node !== undefined && !(isScalar(node) && node.value === null)) {
    throw new EnvknitError(`${config.path}: environment '${name}' must be a mapping`);
  }
  if (node === undefined && !create) return null;
  // `name:` with no value is an empty environment: it becomes a mapping so it can be edited.
  const created = config.document.createNode({}) as YAMLMap;
  envs.set(name, created);
  return created;
}

/**
 * Adds environment `name` (with `python_version` when given, and empty package lists).
 * Throws when it exists already.
 */
export function addEnvironment(
  config: EditableConfig,
  name: string,
  options: { pythonVersion?: string } = {},
): void {
  checkEnvironmentName(name);
  if (options.pythonVersion !== undefined && !PYTHON_VERSION.test(options.pythonVersion)) {
    throw new UsageError(
      `--python-version must look like 3.11, got ${JSON.stringify(options.pythonVersion)}`,
    );
  }
  if (config.environments[name]) {
    throw new EnvknitError(`environment '${name}' already exists in ${config.path}`);
  }
  const env = environmentNode(config, name, true)!;
  if (options.pythonVersion !== undefined) {
    const version = config.document.createNode(options.pythonVersion);
    // Quoted: an unquoted 3.10 would be read back as the number 3.1.
    if (isScalar(version)) version.type = "QUOTE_DOUBLE";
    env.set("python_version", version);
  }
  env.set("packages", emptyList(config));
  env.set("dev_packages", emptyList(config));
}

/** Removes environment `name`; throws, listing the environments, when there is none. */
export function removeEnvironment(config: EditableConfig, name: string): void {
  requireEnvironment(config, name);
  environmentsNode(config, false)!.delete(name);
}

/** Throws a usage error naming the project's environments unless `name` is one of them. */
export function requireEnvironment(config: ProjectConfig, name: string): void {
  if (config.environments[name]) return;
  const names = Object.keys(config.environments);
  throw new UsageError(`no environment '${name}' in ${config.path}`, {
    hints: [
      names.length ? `its environments: ${names.join(", ")}` : "it has no environments",
      `create it with 'envknit env create ${name}'`,
    ],
  });
}

function emptyList(config: EditableConfig): YAMLSeq {
  const seq = config.document.createNode([]) as YAMLSeq;
  seq.flow = true;
  return seq;
}

/**
 * Parses the edited document again, as `envknit` will read it next time: returns the new
 * configuration, or throws (and nothing is saved) when the edit made it invalid.
 */
export async function checkEdited(config: EditableConfig): Promise<EditableConfig> {
  const text = documentText(config.document);
  const next = await parseConfig(text, config.path);
  return { ...next, document: config.document };
}

/** `seq` as a list the next item can be appended to; an empty `[]` becomes a block list. */
export function appendable(seq: YAMLSeq): YAMLSeq {
  if (seq.flow && seq.items.length === 0) seq.flow = false;
  return seq;
}

/** The sequence under `key` in environment `env`, created when missing. */
export function packageSeq(config: EditableConfig, env: string, key: string): YAMLSeq {
  const node = environmentNode(config, env, true)!;
  const seq = node.get(key, true);
  if (isSeq(seq)) return seq;
  if (seq !== undefined && !(isScalar(seq) && seq.value === null)) {
    throw new EnvknitError(`${config.path}: '${key}' of environment '${env}' must be a list`);
  }
  const created = config.document.createNode([]) as YAMLSeq;
  node.set(key, created);
  return created;
}

/** The key of the list a requirement goes to. */
export function listKey(dev: boolean): "packages" | "dev_packages" {
  return dev ? "dev_packages" : "packages";
}

/**
 * The environment an edit applies to: `given`, else `default` when there is one (or none at
 * all: it will be created), else the only one.
 */
export function editedEnvironment(config: ProjectConfig, given: string | undefined): string {
  if (given !== undefined) {
    checkEnvironmentName(given);
    return given;
  }
  const names = Object.keys(config.environments);
  if (names.includes("default") || names.length === 0) return "default";
  if (names.length === 1) return names[0];
  throw new UsageError(
    `${config.path} has several environments and none is called default: ${names.join(", ")}`,
    { hints: ["choose one with --env NAME"] },
  );
}

/** One requirement of an environment list, with its normalized name. */
export interface ListedRequirement {
  /** Position in the YAML list. */
  index: number;
  /** The requirement as envknit.yaml states it (a mapping is shown as a string). */
  requirement: string;
  /** PEP 503-normalized name, or null when the entry does not parse. */
  name: string | null;
}

/** The requirements of `env`'s packages (or dev_packages), in file order. */
export function listedRequirements(
  config: ProjectConfig,
  env: string,
  dev: boolean,
): ListedRequirement[] {
  const e = config.environments[env];
  if (!e) return [];
  return (dev ? e.devPackages : e.packages).map((requirement, index) => {
    let name: string | null = null;
    try {
      name = parseRequirement(requirement).name;
    } catch {
      // An entry that does not parse matches no name; `envknit lock` reports it.
    }
    return { index, requirement, name };
  });
}

/** A requirement scalar that takes over the comments of the node it replaces. */
function replacement(config: EditableConfig, old: unknown, text: string): Scalar {
  const node = config.document.createNode(text) as Scalar;
  const from = old as {
    comment?: string | null;
    commentBefore?: string | null;
    spaceBefore?: boolean;
  };
  if (from && typeof from === "object") {
    if (from.comment) node.comment = from.comment;
    if (from.commentBefore) node.commentBefore = from.commentBefore;
    if (from.spaceBefore) node.spaceBefore = true;
  }
  return node;
}

/**
 * Puts `requirement` (already validated) into `env`'s packages (or dev_packages): in place of
 * the entry with the same normalized name, keeping its comments, else at the end. The
 * environment and the list are created when missing. Returns the entry replaced, if any.
 */
export function setRequirement(
  config: EditableConfig,
  env: string,
  requirement: string,
  dev: boolean,
): string | null {
  const name = parseRequirement(requirement).name;
  const existing = listedRequirements(config, env, dev).find((r) => r.name === name);
  const seq = packageSeq(config, env, listKey(dev));
  if (existing) {
    seq.items[existing.index] = replacement(config, seq.items[existing.index], requirement);
  } else {
    appendable(seq).add(config.document.createNode(requirement));
  }
  return existing?.requirement ?? null;
}

/**
 * Removes the entry named `name` (normalized) from `env`'s packages (or dev_packages). Returns
 * what was removed, or null when no entry has that name.
 */
export function removeRequirement(
  config: EditableConfig,
  env: string,
  name: string,
  dev: boolean,
): string | null {
  const existing = listedRequirements(config, env, dev).find((r) => r.name === name);
  if (!existing) return null;
  const seq = packageSeq(config, env, listKey(dev));
  seq.items.splice(existing.index, 1);
  return existing.requirement;
}

/**
 * The requirement `name[extras]==version ; marker` for a requirement pinned to `version`: extras
 * and marker of `requirement` are kept.
 */
export function pinnedRequirement(
  requirement: string | null,
  name: string,
  version: string,
): string {
  const r = requirement === null ? null : parseRequirement(requirement);
  const extras = r?.extras.length ? `[${r.extras.join(",")}]` : "";
  const marker = r?.marker ? `; ${r.marker}` : "";
  // The name as the user wrote it (`dep_a`, `Django`), not its normalized form.
  const written = requirement === null
    ? null
    : /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement);
  return `${written?.[1] ?? r?.name ?? name}${extras}==${version}${marker}`;
}
