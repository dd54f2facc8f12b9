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
import { type Document, LineCounter, parseDocument, type YAMLParseError } from "npm:yaml@2.9.1";
import { EnvknitError } from "./errors.ts";

export type { Document };
export {
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "npm:yaml@2.9.1";

/** Largest YAML file accepted: configs and locks are far smaller; anything bigger is hostile. */
const MAX_YAML_BYTES = 64 * 1024 * 1024;

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
export function parseYamlFile(text: string, source: string): YamlFile {
  if (text.length > MAX_YAML_BYTES) {
    throw new EnvknitError(
      `${source}: file is too large to be a valid envknit file (${text.length} bytes)`,
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
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
export function parseYaml(text: string, source: string): unknown {
  const { doc } = parseYamlFile(text, source);
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
