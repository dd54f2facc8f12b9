/**
 * Member names: decoding (UTF-8 when the archive says so, else code page 437, as Python's
 * `zipfile` does, so envknit and pip see the same names) and the checks that keep extraction
 * inside its target directory.
 *
 * @module
 */

/** Why a member must not be extracted as it is. */
export type ZipProblemKind =
  /** The name is absolute: it starts with `/` or `\`, or a drive letter such as `C:`. */
  | "absolute"
  /** A path segment is `..`. */
  | "parent"
  /** The name contains `\`, which Windows treats as a separator. */
  | "backslash"
  /** The name contains a NUL character. */
  | "nul"
  /** The name contains another control character (newline, escape, …). */
  | "control"
  /** The name is empty, or has an empty or `.` segment. */
  | "malformed"
  /** The archive says the name is UTF-8 but it is not. */
  | "encoding"
  /** The member is a symbolic link (Unix mode in its external attributes). */
  | "symlink"
  /** The member is a device, FIFO or socket. */
  | "special"
  /** Another member has the same path. */
  | "duplicate"
  /** The member is encrypted. */
  | "encrypted"
  /** The member uses a compression method other than stored (0) or deflated (8). */
  | "method";

/** One reason a member is unsafe or unreadable; `message` is ready to show to a user. */
export interface ZipProblem {
  /** What is wrong. */
  kind: ZipProblemKind;
  /** The member's name as decoded. */
  name: string;
  /** A one-line explanation naming the member. */
  message: string;
}

const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a raw member name: UTF-8 when general-purpose flag bit 11 is set, otherwise code page
 * 437 (ASCII names decode the same either way). Invalid UTF-8 is decoded with U+FFFD and
 * reported through `valid: false`.
 */
export function decodeName(raw: Uint8Array, utf8Flag: boolean): { name: string; valid: boolean } {
  let ascii = true;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { name: utf8.decode(raw), valid: true };
  if (utf8Flag) {
    try {
      return { name: utf8.decode(raw), valid: true };
    } catch {
      return { name: new TextDecoder().decode(raw), valid: false };
    }
  }
  let name = "";
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    name += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  }
  return { name, valid: true };
}

const describe: Record<ZipProblemKind, string> = {
  absolute: "is an absolute path",
  parent: 'goes up out of the target directory ("..")',
  backslash: "contains a backslash",
  nul: "contains a NUL character",
  control: "contains a control character",
  malformed: "is empty or has an empty or '.' path segment",
  encoding: "is not valid UTF-8",
  symlink: "is a symbolic link",
  special: "is a device, FIFO or socket",
  duplicate: "appears more than once",
  encrypted: "is encrypted",
  method: "uses an unsupported compression method",
};

/** Builds the problem record for `name` (with its user-facing message). */
export function problem(kind: ZipProblemKind, name: string): ZipProblem {
  return { kind, name, message: `zip member ${JSON.stringify(name)} ${describe[kind]}` };
}

/**
 * The problems of a member name on its own (not duplicates, which need the whole archive). A
 * trailing `/` marks a directory and is not an empty segment.
 */
export function nameProblems(name: string): ZipProblemKind[] {
  const kinds: ZipProblemKind[] = [];
  if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name)) {
    kinds.push("absolute");
  }
  if (name.includes("\\")) kinds.push("backslash");
  if (name.includes("\0")) kinds.push("nul");
  // deno-lint-ignore no-control-regex
  if (/[\x01-\x1f\x7f]/.test(name)) kinds.push("control");
  const segments = name.replace(/^[/\\]+/, "").replace(/\/$/, "").split(/[/\\]/);
  if (segments.includes("..")) kinds.push("parent");
  if (name === "" || segments.some((s) => s === "" || s === ".")) kinds.push("malformed");
  return kinds;
}
