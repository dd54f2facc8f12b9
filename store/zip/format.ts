/**
 * The zip format as both readers parse it: the central-directory reader (`reader.ts`) and the
 * streaming extractor (`store/install/stream_unzip.ts`). Record signatures, little-endian fields,
 * the fixed part of a local file header, and the default limits on what an archive may declare.
 *
 * @module
 */
import { ZipError } from "./errors.ts";

/** Local file header. */
export const SIG_LOCAL = 0x04034b50;
/** Central directory file header. */
export const SIG_CENTRAL = 0x02014b50;
/** End of central directory record. */
export const SIG_END = 0x06054b50;
/** ZIP64 end of central directory record. */
export const SIG_END64 = 0x06064b50;
/** ZIP64 end of central directory locator. */
export const SIG_LOCATOR64 = 0x07064b50;
/** The optional signature of a data descriptor. */
export const SIG_DESCRIPTOR = 0x08074b50;
/** Size of a local file header before its name and extra field. */
export const LOCAL_SIZE = 30;

/** Limits on what an archive may declare; exceeding one is a `limit` {@link ZipError}. */
export interface ZipLimits {
  /** Most members in the archive (default 500 000). */
  maxEntries?: number;
  /** Largest uncompressed size of one member (default 4 GiB). */
  maxEntrySize?: number;
  /** Largest sum of the members' uncompressed sizes (default 16 GiB). */
  maxTotalSize?: number;
  /** Largest central directory (default 128 MiB). */
  maxCentralDirectorySize?: number;
}

/** The default {@link ZipLimits}. */
export const DEFAULT_LIMITS: Readonly<Required<ZipLimits>> = {
  maxEntries: 500_000,
  maxEntrySize: 4 * 1024 ** 3,
  maxTotalSize: 16 * 1024 ** 3,
  maxCentralDirectorySize: 128 * 1024 ** 2,
};

/** A `corrupt` {@link ZipError} saying `corrupt zip: <message>`. */
export function corrupt(message: string): ZipError {
  return new ZipError("corrupt", `corrupt zip: ${message}`);
}

/** The little-endian 16-bit field at `at`. */
export function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

/** The little-endian 32-bit field at `at` (unsigned). */
export function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/**
 * The little-endian 64-bit field at `at`.
 *
 * @throws {ZipError} `corrupt` when it is 2^53 or more
 */
export function u64(b: Uint8Array, at: number): number {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  // Offsets and sizes above 2^53 cannot be exact in a number, and no file is that large.
  if (hi >= 0x200000) throw corrupt("a 64-bit size or offset is out of range");
  return hi * 0x100000000 + lo;
}

/** The fixed part of a local file header, as stored (sizes may be 0xffffffff: see ZIP64). */
export interface LocalHeader {
  signature: number;
  /** General-purpose flags (bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8 name). */
  flags: number;
  /** Compression method: 0 stored, 8 deflated. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  nameLength: number;
  extraLength: number;
}

/** Reads the first {@link LOCAL_SIZE} bytes of `header` (the caller checks the signature). */
export function parseLocalHeader(header: Uint8Array): LocalHeader {
  return {
    signature: u32(header, 0),
    flags: u16(header, 6),
    method: u16(header, 8),
    crc32: u32(header, 14),
    compressedSize: u32(header, 18),
    size: u32(header, 22),
    nameLength: u16(header, 26),
    extraLength: u16(header, 28),
  };
}
