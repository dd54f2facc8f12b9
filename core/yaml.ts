/**
 * YAML for envknit.yaml and envknit.lock.yaml, through the pinned `yaml` package (which also keeps
 * comments when a document is edited). The one place product code imports it.
 *
 * The package is imported on first use, not at start-up: its import alone costs about 20 ms, more
 * than a warm `envknit run` or `envknit lock` spends on everything else, and those read configs
 * and locks through the parse cache (`parse_cache.ts`) without it.
 *
 * @module
 */
// The full pinned specifier (the same as deno.json's `imports`, tests/deps_test.ts checks it) is on
// purpose: `deno run https://…/cli/main.ts` does not read our deno.json, so a bare `yaml` would not
// resolve there.
// deno-lint-ignore-file no-import-prefix
import type * as YamlPackage from "npm:yaml@2.9.1";
import type { Document, Node, Scalar, YAMLMap, YAMLParseError, YAMLSeq } from "npm:yaml@2.9.1";
import { EnvknitError } from "./errors.ts";

export type { Document, Node, Scalar, YAMLMap, YAMLSeq };

/** Largest YAML file accepted: configs and locks are far smaller; anything bigger is hostile. */
const MAX_YAML_BYTES = 64 * 1024 * 1024;

let yamlPackage: typeof YamlPackage | undefined;

/** Imports the yaml package once; every parse awaits it, so nodes exist only after it loaded. */
async function loadYaml(): Promise<typeof YamlPackage> {
  try {
    return yamlPackage ??= await import("npm:yaml@2.9.1");
  } catch (error) {
    // Deno fetches npm packages on first use: from a URL run, offline, it may not have it yet.
    throw new EnvknitError(
      `cannot load the YAML parser (npm:yaml@2.9.1): ${
        error instanceof Error ? error.message.split("\n")[0] : error
      }`,
      { hints: ["run envknit once with network access so Deno can cache its npm packages"] },
    );
  }
}

/** The loaded package, for the node tests below (a node exists only once it was loaded). */
function loaded(): typeof YamlPackage {
  if (!yamlPackage) throw new Error("internal error: a YAML node was inspected before any parse");
  return yamlPackage;
}

/** Whether a node is a mapping. */
export function isMap(node: unknown): node is YAMLMap<unknown, unknown> {
  return loaded().isMap(node);
}

/** Whether a node is a sequence. */
export function isSeq(node: unknown): node is YAMLSeq<unknown> {
  return loaded().isSeq(node);
}

/** Whether a node is a scalar. */
export function isScalar(node: unknown): node is Scalar<unknown> {
  return loaded().isScalar(node);
}

/** A parsed YAML file that can say where any of its nodes is. */
export interface YamlFile {
  doc: Document;
  /** `<source>:<line>:<col>` of a node (or of the file when the node has no position). */
  where(node: unknown): string;
}

/**
 * Parses YAML into a Document, or throws one EnvknitError `<source>:<line>:<col>: <problem>`.
 * Duplicate keys are errors.
 */
export async function parseYamlFile(text: string, source: string): Promise<YamlFile> {
  if (text.length > MAX_YAML_BYTES) {
    throw new EnvknitError(
      `${source}: file is too large to be a valid envknit file (${text.length} bytes)`,
    );
  }
  const yaml = await loadYaml();
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, {
    prettyErrors: true,
    uniqueKeys: true,
    strict: true,
    lineCounter,
  });
  const problem = doc.errors[0];
  if (problem) throw yamlError(problem, source);
  const where = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return source;
    const pos = lineCounter.linePos(range[0]);
    return `${source}:${pos.line}:${pos.col}`;
  };
  return { doc, where };
}

/**
 * Parses YAML into plain data (see {@link parseYamlFile} for errors). Aliases are limited so a
 * "billion laughs" document cannot expand without bound.
 */
export async function parseYaml(text: string, source: string): Promise<unknown> {
  const { doc } = await parseYamlFile(text, source);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new EnvknitError(`${source}: ${error instanceof Error ? error.message : error}`);
  }
}

function yamlError(error: YAMLParseError, source: string): EnvknitError {
  const pos = error.linePos?.[0];
  const where = pos ? `${source}:${pos.line}:${pos.col}` : source;
  const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  return new EnvknitError(`${where}: invalid YAML: ${message}`);
}
