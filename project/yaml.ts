/**
 * YAML for envknit.yaml and envknit.lock.yaml, through the pinned `yaml` package (which also keeps
 * comments when a document is edited). The one place product code imports it.
 *
 * @module
 */
// The full pinned specifier (the same as deno.json's `imports`, tests/deps_test.ts checks it) is on
// purpose: `deno run https://…/cli/main.ts` does not read our deno.json, so a bare `yaml` would not
// resolve there.
// deno-lint-ignore-file no-import-prefix
import { type Document, parseDocument, type YAMLParseError } from "npm:yaml@2.9.1";
import { EnvknitError } from "./errors.ts";

export type { Document };
export {
  isMap,
  isScalar,
  isSeq,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "npm:yaml@2.9.1";

/** Largest YAML file accepted: configs and locks are far smaller; anything bigger is hostile. */
const MAX_YAML_BYTES = 64 * 1024 * 1024;

/**
 * Parses YAML into a Document, or throws one EnvknitError `<source>:<line>:<col>: <problem>`.
 * Aliases are limited so a "billion laughs" document cannot expand without bound.
 */
export function parseYamlDocument(text: string, source: string): Document {
  if (text.length > MAX_YAML_BYTES) {
    throw new EnvknitError(
      `${source}: file is too large to be a valid envknit file (${text.length} bytes)`,
    );
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, strict: true });
  const problem = doc.errors[0];
  if (problem) throw yamlError(problem, source);
  return doc;
}

/** Parses YAML into plain data (see {@link parseYamlDocument} for errors). */
export function parseYaml(text: string, source: string): unknown {
  const doc = parseYamlDocument(text, source);
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
