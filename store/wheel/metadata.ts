/**
 * Core metadata (a wheel's `METADATA`, an sdist's `PKG-INFO`, a PEP 658 `.metadata` file): header
 * fields in the RFC 822 email format, read the way Python's `email` parser with the `compat32`
 * policy reads them (which is what `packaging.metadata.parse_email` and pip use):
 *
 * - lines end at `\r\n`, `\r` or `\n`;
 * - a field is `Name: value`; the name is printable ASCII without `:` or space, compared without
 *   case; lines starting with a space or tab continue the previous field (kept verbatim, with
 *   their line breaks and indentation: a multi-line value is not unfolded);
 * - the first empty line ends the fields and the rest is the body (the Description, metadata
 *   2.1+); a line that is neither a field nor a continuation also starts the body;
 * - a `From ` line at the top is an mbox envelope line and ignored; a field line starting with `:`
 *   is ignored.
 *
 * Differences from `parse_email`, none of which valid metadata shows: bytes that are not UTF-8
 * become U+FFFD (packaging moves such a field to its "unparsed" set in Latin-1); a leading UTF-8
 * byte order mark is skipped (Python would then see no fields at all); `Content-Type` and
 * `Content-Transfer-Encoding` fields get no MIME treatment of the body.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { normalizeName } from "../../core/names.ts";

/** Header fields and body of an email-format document, as written. */
export interface EmailFields {
  /** `[name, value]` in order; names as written, values without the trailing line break. */
  fields: [string, string][];
  /** Everything after the fields (without the blank separator line), line breaks kept. */
  body: string;
}

// A field line: a (possibly empty) name of printable ASCII except ":" and space, then ":".
const FIELD_LINE = /^[\x21-\x39\x3b-\x7e]*:/;

/** Splits text into lines, each keeping its line break (`\r\n`, `\r` or `\n`). */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      lines.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function stripLineBreaks(value: string): string {
  let end = value.length;
  while (end > 0 && (value[end - 1] === "\n" || value[end - 1] === "\r")) end--;
  return value.slice(0, end);
}

/**
 * Reads the header fields and the body of an email-format document (see the module
 * documentation for the exact rules). Never throws: anything is some fields and a body.
 */
export function parseEmailFields(text: string): EmailFields {
  const lines = splitLines(text);
  // Header lines run until a blank line (consumed) or a line that is not a field (body).
  const header: string[] = [];
  let bodyStart = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("From ") || FIELD_LINE.test(line) || line[0] === " " || line[0] === "\t") {
      header.push(line);
      continue;
    }
    bodyStart = line === "\n" || line === "\r\n" || line === "\r" ? i + 1 : i;
    break;
  }
  let bodyPrefix = "";
  const fields: [string, string][] = [];
  let current: string[] | null = null;
  const flush = () => {
    if (current === null) return;
    const first = current[0];
    const colon = first.indexOf(":");
    const value = first.slice(colon + 1).replace(/^[ \t]+/, "") + current.slice(1).join("");
    fields.push([first.slice(0, colon), stripLineBreaks(value)]);
    current = null;
  };
  for (let i = 0; i < header.length; i++) {
    const line = header[i];
    if (line[0] === " " || line[0] === "\t") {
      // A continuation; one before any field is ignored.
      if (current !== null) current.push(line);
      continue;
    }
    flush();
    if (line.startsWith("From ")) {
      // An mbox envelope line: ignored at the top or in the middle, the body's first line when
      // it is the last header line.
      if (i > 0 && i === header.length - 1) bodyPrefix = line;
      continue;
    }
    if (line[0] === ":") continue; // no field name
    current = [line];
  }
  flush();
  return { fields, body: bodyPrefix + lines.slice(bodyStart).join("") };
}

/** The fields a resolver reads: what {@link resolverFields} keeps. */
export const RESOLVER_FIELDS: ReadonlySet<string> = new Set([
  "metadata-version",
  "name",
  "version",
  "requires-dist",
  "requires-python",
  "provides-extra",
  "dynamic",
]);

/**
 * The header lines of the fields in `keep` (lower-case names), with their continuation lines, in
 * order; every other field, and the body, is dropped. Lines are judged exactly as
 * {@link parseEmailFields} judges them, so parsing the result gives the same values for the kept
 * fields as parsing `text` does. Used to cache only what a resolver needs: some wheels carry whole
 * license texts in their header.
 */
export function keepFields(text: string, keep: ReadonlySet<string> = RESOLVER_FIELDS): string {
  const out: string[] = [];
  let keeping = false;
  for (const line of splitLines(text)) {
    if (line[0] === " " || line[0] === "\t") {
      if (keeping) out.push(line);
      continue;
    }
    if (line.startsWith("From ") || !FIELD_LINE.test(line)) {
      if (line.startsWith("From ")) {
        keeping = false; // an envelope line ends the field before it, as in parseEmailFields
        continue;
      }
      break; // an empty line, or one that starts the body
    }
    const colon = line.indexOf(":");
    keeping = colon > 0 && keep.has(line.slice(0, colon).toLowerCase());
    if (keeping) out.push(line);
  }
  return out.join("");
}

/** Core metadata fields envknit uses, plus every field as written. */
export interface CoreMetadata {
  /** `Metadata-Version` (`2.1`). */
  metadataVersion: string;
  /** `Name` as written. */
  name: string;
  /** The PEP 503 normalized name. */
  normalizedName: string;
  /** `Version` as written (not normalized). */
  version: string;
  /** `Summary`, or null. */
  summary: string | null;
  /** Every `Requires-Dist` (PEP 508 requirement strings, markers included), in order. */
  requiresDist: string[];
  /** `Requires-Python` (a PEP 440 specifier set), or null. */
  requiresPython: string | null;
  /** Every `Provides-Extra`, in order. */
  providesExtra: string[];
  /** Every `Dynamic` (metadata 2.2+), in order. */
  dynamic: string[];
  /** The body, or the `Description` field when the body is empty; null when neither exists. */
  description: string | null;
  /** Every field: lower-cased name → its values in order (multiple-use fields keep all). */
  fields: Map<string, string[]>;
}

/** Options of {@link parseCoreMetadata}. */
export interface ParseMetadataOptions {
  /** What the metadata came from, for error messages (`requests-2.31.0-py3-none-any.whl`). */
  source?: string;
  /** Refuse larger documents (default 16 MiB; real METADATA files are kilobytes). */
  maxBytes?: number;
}

// A distribution name (the core metadata spec): ASCII letters and digits, with `.`, `_`, `-`
// inside.
const VALID_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** The highest metadata major version this parser understands (the spec says to refuse newer). */
const SUPPORTED_MAJOR = 2;

/**
 * Parses core metadata (METADATA / PKG-INFO). Bytes are decoded as UTF-8.
 *
 * @throws EnvknitError naming the source when the document is too large, is not core metadata
 *   (no `Metadata-Version`, `Name` or `Version`; a name that is not a valid distribution name; a
 *   version with white space), repeats one of those or `Requires-Python` with different values,
 *   or has a metadata major version newer than 2.
 */
export function parseCoreMetadata(
  data: Uint8Array | string,
  opts: ParseMetadataOptions = {},
): CoreMetadata {
  const source = opts.source ?? "core metadata";
  const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  const size = typeof data === "string" ? data.length : data.byteLength;
  if (size > maxBytes) {
    throw new EnvknitError(
      `${source}: the metadata is ${size} bytes, more than the ${maxBytes} envknit accepts`,
    );
  }
  const text = typeof data === "string" ? data : new TextDecoder("utf-8").decode(data);
  const { fields: list, body } = parseEmailFields(text.startsWith("\ufeff") ? text.slice(1) : text);
  const fields = new Map<string, string[]>();
  for (const [name, value] of list) {
    const key = name.toLowerCase();
    const values = fields.get(key);
    if (values) values.push(value);
    else fields.set(key, [value]);
  }
  const garbage = (why: string) =>
    new EnvknitError(`${source} is not valid core metadata: ${why}`, {
      hints: ["the package's METADATA is broken; try another version or report it upstream"],
    });
  const single = (field: string, required: boolean): string | null => {
    const values = fields.get(field.toLowerCase());
    if (!values) {
      if (!required) return null;
      throw garbage(list.length === 0 ? "it has no header fields" : `it has no ${field} field`);
    }
    if (values.length > 1 && new Set(values).size > 1) {
      throw garbage(`${field} appears ${values.length} times with different values`);
    }
    return values[0];
  };
  const metadataVersion = single("Metadata-Version", true)!.trim();
  const major = /^(\d+)\.\d+$/.exec(metadataVersion);
  if (!major) throw garbage(`Metadata-Version ${JSON.stringify(metadataVersion)} is not a version`);
  if (Number(major[1]) > SUPPORTED_MAJOR) {
    throw new EnvknitError(
      `${source} uses metadata version ${metadataVersion}, newer than envknit understands (2.x)`,
      { hints: ["upgrade envknit"] },
    );
  }
  const name = single("Name", true)!.trim();
  const version = single("Version", true)!.trim();
  if (name === "") throw garbage("the Name field is empty");
  if (!VALID_NAME.test(name)) throw garbage(`the Name ${JSON.stringify(name)} is not a valid name`);
  if (version === "") throw garbage("the Version field is empty");
  if (/\s/.test(version)) {
    throw garbage(`the Version ${JSON.stringify(version)} is not a valid version`);
  }
  const requiresPython = single("Requires-Python", false);
  const headerDescription = fields.get("description")?.[0] ?? null;
  return {
    metadataVersion,
    name,
    normalizedName: normalizeName(name),
    version,
    summary: fields.get("summary")?.[0] ?? null,
    requiresDist: fields.get("requires-dist") ?? [],
    requiresPython: requiresPython === null ? null : requiresPython.trim(),
    providesExtra: fields.get("provides-extra") ?? [],
    dynamic: fields.get("dynamic") ?? [],
    description: body !== "" ? body : headerDescription,
    fields,
  };
}

/** Another name of {@link parseCoreMetadata}, the one the resolver's provider calls. */
export const parseMetadata: typeof parseCoreMetadata = parseCoreMetadata;
