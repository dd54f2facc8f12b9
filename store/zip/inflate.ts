/**
 * Raw-deflate decompression with a hard cap on the output, built on the Web
 * `DecompressionStream("deflate-raw")`.
 *
 * The compressed input is fed in small pieces because the stream emits, for each piece written,
 * everything that piece inflates to: one 50 KB piece of a zip bomb would otherwise come back as a
 * single 50 MB chunk before any cap could be checked. With 8 KiB pieces and deflate's maximum ratio
 * (about 1:1032), no chunk exceeds ~8.5 MB.
 *
 * @module
 */
import { ZipError } from "./errors.ts";

const PIECE = 8192;

/**
 * Inflates raw-deflate `chunks`, yielding the output as it comes. Fails with a `checksum`
 * {@link ZipError} as soon as the output exceeds `limit` bytes, and with a `corrupt` one when the
 * stream is invalid or has bytes after its end. A stream cut short simply yields less: callers
 * compare the total with the size they expect.
 */
export async function* inflateRaw(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  limit: number,
): AsyncGenerator<Uint8Array> {
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let stop = false;
  const pump = (async () => {
    for await (const chunk of chunks) {
      for (let at = 0; at < chunk.length && !stop; at += PIECE) {
        await writer.write(chunk.subarray(at, at + PIECE) as Uint8Array<ArrayBuffer>);
      }
      if (stop) return;
    }
    await writer.close();
  })();
  // Its failure also errors the readable side, where it is reported; this only silences it.
  pump.catch(() => {});
  let total = 0;
  try {
    while (true) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        throw new ZipError("corrupt", `invalid deflate data (${(error as Error).message})`, {
          cause: error,
        });
      }
      if (result.done) break;
      total += result.value.length;
      if (total > limit) {
        throw new ZipError("checksum", `inflates to more than its declared ${limit} bytes`);
      }
      yield result.value;
    }
    try {
      await pump;
    } catch (error) {
      throw new ZipError("corrupt", `invalid deflate data (${(error as Error).message})`, {
        cause: error,
      });
    }
  } finally {
    stop = true;
    reader.cancel().catch(() => {});
    writer.abort().catch(() => {});
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
