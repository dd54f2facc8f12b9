/**
 * Atomic file replacement, the one way envknit writes a file others may read at the same time
 * (the lock, envknit.yaml, store records, caches, run plans, wheels kept by `lock`): the data
 * goes to a temp file in the same file system and is renamed over the target, so readers and a
 * killed process see the old file or the new one, never half of it.
 *
 * There is no fsync: it costs 10–20 ms on a busy disk, more than a warm `envknit lock` spends
 * otherwise, and on a power cut ext4 (the common case) already flushes a file renamed over another
 * before the rename. Everything written this way can be written again; the store's entries, which
 * cannot, are built differently (a folder renamed into place).
 *
 * @module
 */
import { EnvknitError } from "./errors.ts";

/** Options of {@link writeFileAtomic} and {@link writeFileAtomicSync}. */
export interface AtomicWriteOptions {
  /** Create the folders of the file and of the temp file when they are missing (default false). */
  mkdir?: boolean;
  /**
   * Where the temp file is made (a folder on the same file system, such as one that cleanup
   * empties after a crash); default beside the file, as a hidden `.<name>.<random>.tmp`.
   */
  tmpDir?: string;
  /** Permission bits of the new file (default 0o644). */
  mode?: number;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "." : path.slice(0, slash) || "/";
}

function tempFor(path: string, options: AtomicWriteOptions): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dir = options.tmpDir ?? parentOf(path);
  return `${dir}/.${name}.${crypto.randomUUID().slice(0, 8)}.tmp`;
}

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

function failure(path: string, error: unknown): EnvknitError {
  return new EnvknitError(
    `cannot write ${path}: ${error instanceof Error ? error.message : error}`,
  );
}

const isMissing = (error: unknown) => error instanceof Deno.errors.NotFound;

/**
 * Replaces `path` with `data` (a string is written as UTF-8) through a temp file and a rename,
 * with synchronous I/O: for small files on a command's way (a lock, a record, a plan), where the
 * async calls cost more than the write (the async `Deno.writeTextFile` first loads Deno's streams
 * code, about 2 ms of a 40 ms command, and async operations wait behind any I/O in flight).
 *
 * @throws EnvknitError `cannot write <path>: …`; the temp file is removed.
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const tmp = tempFor(path, options);
  const bytes = bytesOf(data);
  const write = { createNew: true, mode: options.mode ?? 0o644 };
  try {
    try {
      Deno.writeFileSync(tmp, bytes, write);
    } catch (error) {
      if (!options.mkdir || !isMissing(error)) throw error;
      Deno.mkdirSync(parentOf(tmp), { recursive: true });
      Deno.writeFileSync(tmp, bytes, write);
    }
    try {
      Deno.renameSync(tmp, path);
    } catch (error) {
      if (!options.mkdir || !isMissing(error)) throw error;
      Deno.mkdirSync(parentOf(path), { recursive: true });
      Deno.renameSync(tmp, path);
    }
  } catch (error) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // never written
    }
    throw failure(path, error);
  }
}

/**
 * {@link writeFileAtomicSync} with asynchronous I/O, for data large enough (a wheel) or writes
 * concurrent enough (cache entries during a resolution) that blocking would cost more.
 *
 * @throws EnvknitError `cannot write <path>: …`; the temp file is removed.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = tempFor(path, options);
  const bytes = bytesOf(data);
  const write = { createNew: true, mode: options.mode ?? 0o644 };
  try {
    try {
      await Deno.writeFile(tmp, bytes, write);
    } catch (error) {
      if (!options.mkdir || !isMissing(error)) throw error;
      await Deno.mkdir(parentOf(tmp), { recursive: true });
      await Deno.writeFile(tmp, bytes, write);
    }
    try {
      await Deno.rename(tmp, path);
    } catch (error) {
      if (!options.mkdir || !isMissing(error)) throw error;
      await Deno.mkdir(parentOf(path), { recursive: true });
      await Deno.rename(tmp, path);
    }
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw failure(path, error);
  }
}

/**
 * Writes a cache file with {@link writeFileAtomic} (its folders created when missing) and swallows
 * any failure: a cache that cannot be written only costs time later.
 */
export async function writeFileQuietly(
  path: string,
  data: string | Uint8Array,
  options: Omit<AtomicWriteOptions, "mkdir"> = {},
): Promise<void> {
  await writeFileAtomic(path, data, { ...options, mkdir: true }).catch(() => {});
}
