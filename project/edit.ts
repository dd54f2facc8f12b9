/**
 * Edits of envknit.yaml that keep the user's comments, key order and list style: environments
 * (`envknit env create/remove`) and their requirements (`envknit add/remove/pin`).
 *
 * Every edit works on `config.document` (the yaml Document of {@link ProjectConfig}); then
 * {@link checkEdited} parses the edited text again, so nothing invalid is ever saved, and
 * `saveConfig` writes it.
 *
 * @module
 */
import { parseConfig, type ProjectConfig } from "./config.ts";
import { EnvknitError, UsageError } from "./errors.ts";
import { isMap, isScalar, isSeq, type YAMLMap, type YAMLSeq } from "./yaml.ts";

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
function environmentsNode(config: ProjectConfig, create: boolean): YAMLMap | null {
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
function environmentNode(config: ProjectConfig, name: string, create: boolean): YAMLMap | null {
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
  config: ProjectConfig,
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
export function removeEnvironment(config: ProjectConfig, name: string): void {
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

function emptyList(config: ProjectConfig): YAMLSeq {
  const seq = config.document.createNode([]) as YAMLSeq;
  seq.flow = true;
  return seq;
}

/**
 * Parses the edited document again, as `envknit` will read it next time: returns the new
 * configuration, or throws (and nothing is saved) when the edit made it invalid.
 */
export function checkEdited(config: ProjectConfig): ProjectConfig {
  const text = String(config.document);
  const next = parseConfig(text, config.path);
  return { ...next, document: config.document };
}

/** `seq` as a list the next item can be appended to; an empty `[]` becomes a block list. */
export function appendable(seq: YAMLSeq): YAMLSeq {
  if (seq.flow && seq.items.length === 0) seq.flow = false;
  return seq;
}

/** The sequence under `key` in environment `env`, created when missing. */
export function packageSeq(config: ProjectConfig, env: string, key: string): YAMLSeq {
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
