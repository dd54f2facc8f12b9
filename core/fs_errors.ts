/**
 * File-system failures the user must act on (a full disk, a name too long for the file system, a
 * file where a folder must go, a read-only store) as {@link EnvknitError}s: one line naming the
 * cause and the path, instead of an "internal error". Deno's errors carry the errno name in `code`
 * and end their message with `<operation> '<path>'`.
 *
 * @module
 */
import { EnvknitError } from "./errors.ts";

/** What each errno class means for the user. */
const CAUSES: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  EFBIG: "the file is too large for the file system",
  ENAMETOOLONG: "a file name is too long for the file system",
  EEXIST: "a file or folder of that name is already there",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder, not a file",
  ENOTEMPTY: "the folder is not empty",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ELOOP: "too many levels of symbolic links",
  EIO: "an input/output error of the device",
};

/** The errno name of a Deno or Node file-system error (`ENOSPC`, …), or null. */
export function errnoOf(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  const m = /\(os error (\d+)\)/.exec(error.message);
  if (!m) return null;
  const byNumber: Record<string, string> = {
    "28": "ENOSPC",
    "36": "ENAMETOOLONG",
    "17": "EEXIST",
    "20": "ENOTDIR",
    "21": "EISDIR",
    "30": "EROFS",
    "122": "EDQUOT",
  };
  return byNumber[m[1]] ?? null;
}

/** The operation and path a Deno file-system error names (`… (os error 28): write '/x/y'`). */
export function pathOf(error: Error): { op: string; path: string } | null {
  const m = /\(os error \d+\): (\w+) '(.*?)'(?: -> '(.*?)')?$/.exec(error.message);
  return m ? { op: m[1], path: m[3] ?? m[2] } : null;
}

/** What was being done, by Deno's operation name. */
function verbOf(op: string | undefined): string {
  switch (op) {
    case "mkdir":
      return "cannot create the folder";
    case "rename":
      return "cannot move into";
    case "remove":
      return "cannot remove";
    case "readfile":
    case "stat":
    case "lstat":
    case "readdir":
      return "cannot read";
    default:
      return "cannot write";
  }
}

/**
 * The same failure with `op` and `path` in its message when it names none (a write to an open
 * file reports only its errno), so {@link fileSystemError} can name the file. Other values are
 * returned as they are.
 */
export function withPath(error: unknown, op: string, path: string): unknown {
  if (!(error instanceof Error) || errnoOf(error) === null || pathOf(error) !== null) return error;
  const out = new Error(`${error.message}: ${op} '${path}'`, { cause: error });
  return Object.assign(out, { code: errnoOf(error) });
}

/**
 * Turns a file-system failure of a known class into an {@link EnvknitError}
 * `cannot write <path>: <cause> (<ERRNO>)`; any other value is returned as it is. `describePath`
 * may rename the path for the user (a member of a wheel rather than a temp folder).
 */
export function fileSystemError(
  error: unknown,
  describePath: (path: string) => string = (p) => p,
): unknown {
  if (error instanceof EnvknitError || !(error instanceof Error)) return error;
  const code = errnoOf(error);
  if (code === null || !(code in CAUSES)) return error;
  const at = pathOf(error);
  const where = at === null ? "" : ` ${describePath(at.path)}`;
  const hints: string[] = [];
  if (code === "ENOSPC" || code === "EDQUOT") {
    hints.push("free some space (envknit store gc removes unused entries) and try again");
  } else if (code === "ENAMETOOLONG") {
    hints.push("the path is longer than the file system allows (255 bytes per name)");
  } else if (code === "EROFS" || code === "EACCES" || code === "EPERM") {
    hints.push("check the permissions of the folder, or set ENVKNIT_HOME to a writable store");
  }
  return new EnvknitError(`${verbOf(at?.op)}${where}: ${CAUSES[code]} (${code})`, {
    hints,
    cause: error,
  });
}
