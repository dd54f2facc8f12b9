/**
 * Atomic file replacement: readers and crashes see the old file or the new one, never half.
 *
 * @module
 */
import { EnvknitError } from "./errors.ts";

/**
 * Writes `text` to `path` through a temp file in the same directory and a rename.
 *
 * The rename is what makes it atomic for readers and for a killed process. There is no fsync: it
 * costs 10–20 ms on a busy disk, more than a warm `envknit lock` spends otherwise, and on a power
 * cut ext4 (the common case) already flushes a file renamed over another before the rename. The
 * lock can always be written again; the store's entries, which cannot, are built differently.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash === -1 ? "." : path.slice(0, slash) || "/";
  const tmp = `${dir}/.${path.slice(slash + 1)}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    // Synchronous on purpose: the async `Deno.writeTextFile` first loads Deno's streams code to
    // ask whether `text` is a stream, about 2 ms of a 40 ms command, and async operations wait
    // behind any I/O still in flight; a lock is written in well under a millisecond.
    Deno.writeFileSync(tmp, new TextEncoder().encode(text), { createNew: true, mode: 0o644 });
    Deno.renameSync(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw new EnvknitError(
      `cannot write ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/**
 * Writes a cache file through a temp file beside it and a rename (its folder is created), so
 * concurrent readers never see half of it. Failures are swallowed: a cache that cannot be written
 * only costs time later.
 */
export async function writeFileQuietly(path: string, data: string | Uint8Array): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const tmp = `${dir}/.${crypto.randomUUID().slice(0, 12)}.tmp`;
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(tmp, typeof data === "string" ? new TextEncoder().encode(data) : data);
    await Deno.rename(tmp, path);
  } catch {
    await Deno.remove(tmp).catch(() => {});
  }
}
