/**
 * What a path is, asked synchronously (a few stats in a row on a command's way in, where async
 * round trips would add up). Symbolic links are followed; a missing or unreadable path is
 * neither.
 *
 * @module
 */

/** Whether `path` is a directory (following links). */
export function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** Whether `path` is a regular file (following links). */
export function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
