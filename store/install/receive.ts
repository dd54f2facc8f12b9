/**
 * Receiving a wheel before anything of it is trusted: its bytes are written to a file of ours while
 * they are hashed, and only a file whose size and sha256 are the lock's is handed on. Nothing reads
 * the zip inside before that (a download swapped for a zip bomb costs its own size on disk and a
 * few kilobytes of memory, never its inflated size). Used by the entry builder
 * (`build_entry.ts`) and by `fetchWheels` (`store/fetching.ts`).
 *
 * A wheel already in the cache is read once to hash it; the unpacking reads it from the page cache
 * again.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { EnvknitError } from "../../core/errors.ts";
import { withPath } from "../../core/fs_errors.ts";
import type { HttpClient } from "../http/client.ts";
import type { WheelFile } from "../packages.ts";
import { openWheelSource, type WheelSource } from "./sources.ts";

/** A wheel whose bytes do not match what the lock records (size or sha256). */
export class WheelMismatchError extends EnvknitError {
  constructor(message: string, hints: string[]) {
    super(message, { hints });
    this.name = "WheelMismatchError";
  }
}

const NOTHING_INSTALLED = "nothing was installed; the file differs from the one that was locked";
const RELOCK = "if the index legitimately changed the file, re-lock with 'envknit lock'";

/** The error of a file with more bytes than `wheel.size` (known before it ends). */
function tooLarge(wheel: WheelFile, received: number): WheelMismatchError {
  return new WheelMismatchError(
    `size mismatch for ${wheel.file}: the lock records ${wheel.size} bytes, ` +
      `the file has more (${received} bytes read so far)`,
    [NOTHING_INSTALLED, RELOCK],
  );
}

/** Checks the size and the sha256 of `received` bytes against `wheel`: size first, it is the
 * more telling of the two. */
export function checkReceived(wheel: WheelFile, received: number, sha256: string): void {
  if (wheel.size !== undefined && received !== wheel.size) {
    throw new WheelMismatchError(
      `size mismatch for ${wheel.file}: the lock records ${wheel.size} bytes, ` +
        `the file has ${received}`,
      [NOTHING_INSTALLED, RELOCK],
    );
  }
  if (sha256 !== wheel.sha256.toLowerCase()) {
    throw new WheelMismatchError(
      `sha256 mismatch for ${wheel.file}: the lock has ${wheel.sha256}, the file has ${sha256}`,
      [NOTHING_INSTALLED, RELOCK],
    );
  }
}

/** Writes all of `chunk` to `file` (synchronously: a chunk is small, a thread hop costs more). */
function writeAll(file: Deno.FsFile, chunk: Uint8Array): void {
  for (let done = 0; done < chunk.length;) done += file.writeSync(chunk.subarray(done));
}

/**
 * Streams the bytes of `wheel` from `source` into a new file at `target` (created, never
 * replaced), hashing them on the way; stops as soon as there are more bytes than the lock's size.
 * Returns once the file's size and sha256 are the lock's; throws {@link WheelMismatchError}
 * otherwise (`target` is then removed). Failures while receiving are the source's own
 * (a `DownloadError` for a transfer that broke off).
 */
export async function receiveWheel(
  source: WheelSource,
  wheel: WheelFile,
  target: string,
  options: { http?: HttpClient; onBytes?: (n: number) => void; mode?: number } = {},
): Promise<void> {
  const hash = createHash("sha256");
  const limit = wheel.size ?? Infinity;
  let received = 0;
  let file: Deno.FsFile | null = null;
  try {
    const body = await openWheelSource(source, wheel, options.http);
    file = await Deno.open(target, { write: true, createNew: true, mode: options.mode ?? 0o644 });
    for await (const chunk of body) {
      received += chunk.length;
      if (received > limit) throw tooLarge(wheel, received);
      hash.update(chunk);
      try {
        writeAll(file, chunk);
      } catch (error) {
        throw withPath(error, "write", target);
      }
      options.onBytes?.(chunk.length);
    }
    file.close();
    file = null;
    checkReceived(wheel, received, hash.digest("hex"));
  } catch (error) {
    try {
      file?.close();
    } catch {
      // already closed
    }
    if (file !== null || !(error instanceof Deno.errors.AlreadyExists)) {
      await Deno.remove(target).catch(() => {});
    }
    throw error;
  }
}

/**
 * Hashes a file already on disk (the wheel cache) and checks it against `wheel` as
 * {@link receiveWheel} does; `onBytes` sees its bytes as they are read.
 */
export async function checkWheelFile(
  path: string,
  wheel: WheelFile,
  onBytes?: (n: number) => void,
): Promise<void> {
  const hash = createHash("sha256");
  const limit = wheel.size ?? Infinity;
  let received = 0;
  const body = await openWheelSource({ kind: "cache", path }, wheel);
  for await (const chunk of body) {
    received += chunk.length;
    if (received > limit) throw tooLarge(wheel, received);
    hash.update(chunk);
    onBytes?.(chunk.length);
  }
  checkReceived(wheel, received, hash.digest("hex"));
}
