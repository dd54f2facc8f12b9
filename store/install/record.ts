/**
 * A wheel's `RECORD` (the installed-files list of the binary distribution format): CSV rows of
 * `path,algorithm=urlsafe-base64-digest,size`. The shipped RECORD is checked against every member;
 * the installed entry gets a RECORD that lists what was written, with the paths it has in the entry.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** One row of a RECORD file. */
export interface RecordRow {
  /** The path as written (`/`-separated, relative to the wheel root). */
  path: string;
  /** Hash algorithm (`sha256`), or "" when the row has no hash. */
  algorithm: string;
  /** The urlsafe-base64 digest without padding, or "". */
  digest: string;
  /** The size in bytes, or null when the row has none. */
  size: number | null;
}

/** Algorithms accepted in a RECORD: the spec forbids md5 and sha1. */
export const RECORD_ALGORITHMS: ReadonlySet<string> = new Set([
  "sha224",
  "sha256",
  "sha384",
  "sha512",
  "sha3_224",
  "sha3_256",
  "sha3_384",
  "sha3_512",
  "blake2b",
  "blake2s",
]);

/**
 * Parses RECORD text (Python's csv dialect: fields may be double-quoted, `""` escapes a quote).
 * Returns null when the text is not valid CSV of 3 fields per row.
 */
export function parseRecord(text: string): RecordRow[] | null {
  const rows: RecordRow[] = [];
  for (const fields of csvRows(text)) {
    if (fields === null) return null;
    if (fields.length === 1 && fields[0] === "") continue; // blank line
    if (fields.length !== 3) return null;
    const [path, hash, size] = fields;
    let algorithm = "";
    let digest = "";
    if (hash !== "") {
      const eq = hash.indexOf("=");
      if (eq <= 0) return null;
      algorithm = hash.slice(0, eq).toLowerCase();
      digest = hash.slice(eq + 1);
    }
    let parsedSize: number | null = null;
    if (size !== "") {
      if (!/^[0-9]+$/.test(size)) return null;
      parsedSize = Number(size);
    }
    rows.push({ path, algorithm, digest, size: parsedSize });
  }
  return rows;
}

/** Splits CSV text into rows of fields; a row is null when its quoting is broken. */
function* csvRows(text: string): Generator<string[] | null> {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const fields: string[] = [];
    let field = "";
    let broken = false;
    for (;;) {
      if (i < n && text[i] === '"') {
        // A quoted field: up to the closing quote, `""` is a literal quote.
        i++;
        for (;;) {
          if (i >= n) {
            broken = true;
            break;
          }
          const c = text[i++];
          if (c === '"') {
            if (text[i] === '"') {
              field += '"';
              i++;
            } else break;
          } else field += c;
        }
        if (broken) break;
        if (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          broken = true;
          break;
        }
      } else {
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") field += text[i++];
      }
      fields.push(field);
      field = "";
      if (i < n && text[i] === ",") {
        i++;
        continue;
      }
      break;
    }
    if (broken) {
      yield null;
      return;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    yield fields;
  }
}

/** Quotes a CSV field when it needs it (as Python's csv module does). */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Formats rows as RECORD text (`\n` line ends, the way installers write it). */
export function formatRecord(rows: RecordRow[]): string {
  return rows.map((r) =>
    [
      csvField(r.path),
      csvField(r.algorithm ? `${r.algorithm}=${r.digest}` : ""),
      r.size === null ? "" : String(r.size),
    ].join(",") + "\n"
  ).join("");
}

/** The urlsafe-base64 (unpadded) digest of `data` with a RECORD algorithm name. */
export function recordDigest(algorithm: string, data: Uint8Array): string {
  return createHash(nodeAlgorithm(algorithm)).update(data).digest("base64url");
}

/** A RECORD algorithm name as node:crypto spells it. */
export function nodeAlgorithm(algorithm: string): string {
  switch (algorithm) {
    case "sha3_224":
    case "sha3_256":
    case "sha3_384":
    case "sha3_512":
      return algorithm.replace("_", "-");
    case "blake2b":
      return "blake2b512";
    case "blake2s":
      return "blake2s256";
    default:
      return algorithm;
  }
}

/** Converts a hex digest to the RECORD form (urlsafe base64 without padding). */
export function hexToRecordDigest(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Whether a RECORD digest (`recorded`) is the digest `actual` (urlsafe base64). Tolerated
 * spellings of the same bytes: padding a writer left, and hex, which some real wheels write
 * (gmsh 4.15.2) although the format says base64.
 */
export function sameDigest(actual: string, recorded: string): boolean {
  const bare = recorded.replace(/=+$/, "");
  if (actual.replace(/=+$/, "") === bare) return true;
  return /^[0-9a-fA-F]+$/.test(recorded) && recorded.length % 2 === 0 &&
    hexToRecordDigest(recorded.toLowerCase()) === actual.replace(/=+$/, "");
}
