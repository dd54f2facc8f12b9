/**
 * Raw-deflate decompression with a hard cap on the output and bounded memory, built on
 * `node:zlib`'s streaming inflater.
 *
 * The inflater hands out its output in pieces of at most {@link OUTPUT_CHUNK} bytes and takes
 * more input only as they are consumed, so a member inflating to a GiB never has more than a few
 * of them alive (the Web `DecompressionStream` emits everything one input piece inflates to, and
 * its buffers are freed late: a 1 GiB member peaked at over 300 MB through it, at 80 MB here).
 *
 * @module
 */
import { createInflateRaw } from "node:zlib";
import { ZipError } from "./errors.ts";

/** Input is written in pieces of this size (each waits until the inflater wants more). */
const PIECE = 64 * 1024;
/** The largest piece of output. */
const OUTPUT_CHUNK = 256 * 1024;

/**
 * Inflates raw-deflate `chunks`, yielding the output as it comes. Fails with a `checksum`
 * {@link ZipError} as soon as the output exceeds `limit` bytes, and with a `corrupt` one when the
 * stream is invalid or has bytes after its end. A stream cut short simply yields less: callers
 * compare the total with the size they expect. An error of `chunks` itself is thrown as it is.
 */
export async function* inflateRaw(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  limit: number,
): AsyncGenerator<Uint8Array> {
  const inflater = createInflateRaw({ chunkSize: OUTPUT_CHUNK });
  /** The consumer stopped (an error, or it returned early): the pump stops at once. */
  let abort = false;
  /** The inflater's output ended: the pump only counts what input is left. */
  let ended = false;
  let written = 0;
  let extra = 0;
  let sourceError: { error: unknown } | null = null;
  // Wakes the pump while it waits for room: an inflater that ended early never asks for more.
  let wake = () => {};
  const room = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        inflater.off("drain", done);
        inflater.off("close", done);
        wake = () => {};
        resolve();
      };
      wake = done;
      inflater.on("drain", done);
      inflater.on("close", done);
    });
  const pump = (async () => {
    try {
      for await (const chunk of chunks) {
        for (let at = 0; at < chunk.length; at += PIECE) {
          if (abort) return;
          if (ended) {
            extra += chunk.length - at;
            break;
          }
          const piece = chunk.subarray(at, at + PIECE);
          written += piece.length;
          if (!inflater.write(piece)) await room();
        }
      }
      if (!abort && !ended) inflater.end();
    } catch (error) {
      sourceError = { error };
      inflater.destroy(error as Error);
    }
  })();
  const finishPump = async () => {
    ended = true;
    wake();
    await pump;
    if (sourceError !== null) throw (sourceError as { error: unknown }).error;
  };
  let total = 0;
  try {
    try {
      for await (const out of inflater) {
        const chunk = out as Uint8Array;
        total += chunk.length;
        if (total > limit) {
          throw new ZipError("checksum", `inflates to more than its declared ${limit} bytes`);
        }
        yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
      }
    } catch (error) {
      if (error instanceof ZipError) throw error;
      await finishPump();
      // A stream cut short: what was inflated is all there is.
      if ((error as { code?: string }).code === "Z_BUF_ERROR") return;
      throw new ZipError("corrupt", `invalid deflate data (${(error as Error).message})`, {
        cause: error,
      });
    }
    await finishPump();
    if (extra > 0 || inflater.bytesWritten !== written) {
      throw new ZipError("corrupt", "invalid deflate data (bytes after the end of the stream)");
    }
  } finally {
    abort = true;
    wake();
    inflater.destroy();
  }
}

/** Inflates `data` (raw deflate) into one buffer, failing if it would exceed `limit` bytes. */
export async function inflateRawBytes(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of inflateRaw([data], limit)) {
    parts.push(part);
    total += part.length;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
