/**
 * Random-access byte sources a zip can be read from: bytes in memory, a file on disk, or anything
 * else that can read a range (the index client reads remote wheels with HTTP range requests).
 *
 * @module
 */
import { ZipError } from "./errors.ts";

/**
 * Bytes that can be read at any offset. `read` must return exactly `length` bytes (fewer is treated
 * as a truncated file); the zip reader never asks for bytes outside `[0, size)`.
 */
export interface RandomAccessSource {
  /** Total size of the file in bytes. */
  readonly size: number;
  /** Reads `length` bytes starting at `offset`. The result may be a view that must not be changed. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory; reads are views, no copies. */
export function bytesSource(bytes: Uint8Array): RandomAccessSource {
  return {
    size: bytes.length,
    read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        return Promise.reject(new ZipError("corrupt", "read outside the archive"));
      }
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
}

/** A source over an open file, as returned by {@link openFileSource}; close it when done. */
export interface FileSource extends RandomAccessSource, Disposable {
  /** Closes the file. */
  close(): void;
}

/**
 * Opens `path` for random-access reading. Reads are serialised (one file position), so concurrent
 * `read` calls are safe. Only a regular file is opened (checked before the open and on the open
 * file): opening a FIFO would wait for a writer forever.
 *
 * @throws {ZipError} `not-zip` for a path that is not a regular file; the open's own errors
 */
export async function openFileSource(path: string | URL): Promise<FileSource> {
  const notRegular = () =>
    new ZipError("not-zip", "not a regular file (a folder, FIFO, socket or device)");
  if (!(await Deno.stat(path)).isFile) throw notRegular();
  const file = await Deno.open(path, { read: true });
  let size: number;
  try {
    const info = await file.stat();
    if (!info.isFile) throw notRegular();
    size = info.size;
  } catch (error) {
    file.close();
    throw error;
  }
  let queue: Promise<unknown> = Promise.resolve();
  const readAt = async (offset: number, length: number) => {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new ZipError("corrupt", "read outside the archive");
    }
    const out = new Uint8Array(length);
    await file.seek(offset, Deno.SeekMode.Start);
    let got = 0;
    while (got < length) {
      const n = await file.read(out.subarray(got));
      if (n === null) throw new ZipError("corrupt", "the archive file is shorter than it was");
      got += n;
    }
    return out;
  };
  return {
    size,
    read(offset, length) {
      const result = queue.then(() => readAt(offset, length));
      queue = result.catch(() => {});
      return result;
    },
    close() {
      file.close();
    },
    [Symbol.dispose]() {
      file.close();
    },
  };
}
