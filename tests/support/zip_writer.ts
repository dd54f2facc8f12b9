/**
 * A small zip writer for tests: stored and deflated members, optional data descriptors, forced
 * ZIP64 records, and the knobs needed to craft hostile archives (raw name bytes, Unix modes for
 * links and devices, declared CRC-32 and sizes that lie). Output is deterministic: the same
 * entries give the same bytes, so a wheel's sha256 is stable.
 *
 * @module
 */
import { crc32 } from "node:zlib";

/** One member to write. */
export interface ZipWriterEntry {
  /** The name; raw bytes are written as they are (for names that are not valid UTF-8). */
  name: string | Uint8Array;
  /** The contents (strings are UTF-8 encoded); empty by default. */
  data?: Uint8Array | string;
  /** Compression: `"deflate"` (default) or `"store"`. */
  method?: "store" | "deflate";
  /** Write CRC-32 and sizes in a data descriptor after the data (flag bit 3), zeros in the header. */
  dataDescriptor?: boolean;
  /**
   * Unix mode for the external attributes (default `0o100644`, `0o40755` for names ending in `/`).
   * A link is `0o120777` (its data is the target), a FIFO `0o010644`.
   */
  unixMode?: number;
  /** Raw external attributes, overriding `unixMode`. */
  externalAttributes?: number;
  /** Set the UTF-8 name flag (bit 11); default: when the name is not ASCII. */
  utf8?: boolean;
  /** Extra general-purpose flag bits to set (e.g. 1: "encrypted"). */
  extraFlags?: number;
  /** Compression method number written in the headers, overriding `method` (e.g. 12, bzip2). */
  methodNumber?: number;
  /** The CRC-32 to declare instead of the real one. */
  declaredCrc32?: number;
  /** The uncompressed size to declare instead of the real one. */
  declaredSize?: number;
  /** Modification time (default 2020-02-02 02:02:02, so output is reproducible). */
  modified?: Date;
}

/** Options of {@link writeZip}. */
export interface ZipWriterOptions {
  /** Write ZIP64 end records and ZIP64 extra fields for every member, even when not needed. */
  zip64?: boolean;
  /** The archive comment. */
  comment?: string;
}

const encoder = new TextEncoder();

/** Raw-deflates `data` with the Web `CompressionStream`. */
export async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

class Buffer {
  #parts: Uint8Array[] = [];
  length = 0;

  push(part: Uint8Array) {
    this.#parts.push(part);
    this.length += part.length;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

class Fields {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer);
  }

  u16(v: number): this {
    this.#view.setUint16(this.#at, v, true);
    this.#at += 2;
    return this;
  }

  u32(v: number): this {
    this.#view.setUint32(this.#at, v >>> 0, true);
    this.#at += 4;
    return this;
  }

  u64(v: number): this {
    this.#view.setBigUint64(this.#at, BigInt(v), true);
    this.#at += 8;
    return this;
  }

  raw(b: Uint8Array): this {
    this.bytes.set(b, this.#at);
    this.#at += b.length;
    return this;
  }
}

function dosDateTime(d: Date): { date: number; time: number } {
  return {
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

const DEFAULT_TIME = new Date(Date.UTC(2020, 1, 2, 2, 2, 2));

/** Writes a zip archive of `entries`, in order. */
export async function writeZip(
  entries: ZipWriterEntry[],
  options: ZipWriterOptions = {},
): Promise<Uint8Array> {
  const out = new Buffer();
  const central = new Buffer();
  const zip64 = options.zip64 ?? entries.length >= 0xffff;
  for (const entry of entries) {
    const rawName = typeof entry.name === "string" ? encoder.encode(entry.name) : entry.name;
    const nameString = typeof entry.name === "string" ? entry.name : "";
    const isDir = nameString.endsWith("/");
    const data = typeof entry.data === "string"
      ? encoder.encode(entry.data)
      : entry.data ?? new Uint8Array();
    const deflate = (entry.method ?? (isDir ? "store" : "deflate")) === "deflate";
    const stored = deflate ? await deflateRaw(data) : data;
    const method = entry.methodNumber ?? (deflate ? 8 : 0);
    const crc = entry.declaredCrc32 ?? crc32(data);
    const size = entry.declaredSize ?? data.length;
    const nonAscii = rawName.some((b) => b >= 0x80);
    const descriptor = entry.dataDescriptor ?? false;
    const flags = ((entry.utf8 ?? nonAscii) ? 0x800 : 0) | (descriptor ? 0x8 : 0) |
      (entry.extraFlags ?? 0);
    const mode = entry.unixMode ?? (isDir ? 0o40755 : 0o100644);
    const external = entry.externalAttributes ?? (((mode << 16) >>> 0) | (isDir ? 0x10 : 0));
    const { date, time } = dosDateTime(entry.modified ?? DEFAULT_TIME);
    const version = zip64 ? 45 : 20;
    const offset = out.length;

    const localExtra = zip64
      ? new Fields(20).u16(0x0001).u16(16).u64(descriptor ? 0 : size).u64(
        descriptor ? 0 : stored.length,
      ).bytes
      : new Uint8Array();
    const local = new Fields(30 + rawName.length + localExtra.length)
      .u32(0x04034b50).u16(version).u16(flags).u16(method).u16(time).u16(date)
      .u32(descriptor ? 0 : crc)
      .u32(zip64 ? 0xffffffff : descriptor ? 0 : stored.length)
      .u32(zip64 ? 0xffffffff : descriptor ? 0 : size)
      .u16(rawName.length).u16(localExtra.length).raw(rawName).raw(localExtra);
    out.push(local.bytes);
    out.push(stored);
    if (descriptor) {
      const dd = zip64
        ? new Fields(24).u32(0x08074b50).u32(crc).u64(stored.length).u64(size)
        : new Fields(16).u32(0x08074b50).u32(crc).u32(stored.length).u32(size);
      out.push(dd.bytes);
    }

    const centralExtra = zip64
      ? new Fields(28).u16(0x0001).u16(24).u64(size).u64(stored.length).u64(offset).bytes
      : new Uint8Array();
    central.push(
      new Fields(46 + rawName.length + centralExtra.length)
        .u32(0x02014b50).u16((3 << 8) | version).u16(version).u16(flags).u16(method)
        .u16(time).u16(date).u32(crc)
        .u32(zip64 ? 0xffffffff : stored.length)
        .u32(zip64 ? 0xffffffff : size)
        .u16(rawName.length).u16(centralExtra.length).u16(0).u16(0).u16(0).u32(external)
        .u32(zip64 ? 0xffffffff : offset)
        .raw(rawName).raw(centralExtra).bytes,
    );
  }
  const cdOffset = out.length;
  const cd = central.bytes();
  out.push(cd);
  if (zip64) {
    const end64 = out.length;
    out.push(
      new Fields(56).u32(0x06064b50).u64(44).u16((3 << 8) | 45).u16(45).u32(0).u32(0)
        .u64(entries.length).u64(entries.length).u64(cd.length).u64(cdOffset).bytes,
    );
    out.push(new Fields(20).u32(0x07064b50).u32(0).u64(end64).u32(1).bytes);
  }
  const comment = encoder.encode(options.comment ?? "");
  out.push(
    new Fields(22 + comment.length).u32(0x06054b50).u16(0).u16(0)
      .u16(zip64 ? 0xffff : entries.length).u16(zip64 ? 0xffff : entries.length)
      .u32(zip64 ? 0xffffffff : cd.length).u32(zip64 ? 0xffffffff : cdOffset)
      .u16(comment.length).raw(comment).bytes,
  );
  return out.bytes();
}
