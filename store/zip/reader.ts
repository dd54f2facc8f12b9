/**
 * Zip reading for wheels: from bytes or from any random-access source, so a remote wheel's METADATA
 * can be read with a few HTTP range requests (the end records, the central directory, one member).
 *
 * The reader trusts nothing in the file: every offset and size is checked against the file and
 * against the other structures, counts and declared sizes against limits, and inflation stops at
 * the declared size. Structural damage is a {@link ZipError}; members that are readable but unsafe
 * to extract (absolute or `..` names, links, duplicates, …) are listed as {@link ZipProblem}s so
 * the installer can refuse the wheel with one message ({@link ZipArchive.assertSafe}).
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { ZipError } from "./errors.ts";
import {
  corrupt,
  DEFAULT_LIMITS,
  LOCAL_SIZE,
  parseLocalHeader,
  SIG_CENTRAL,
  SIG_END,
  SIG_END64,
  SIG_LOCAL,
  SIG_LOCATOR64,
  u16,
  u32,
  u64,
  type ZipLimits,
} from "./format.ts";
import { inflateRaw, inflateRawBytes } from "./inflate.ts";
import { decodeName, nameProblems, problem, type ZipProblem } from "./names.ts";
import { bytesSource, type RandomAccessSource } from "./source.ts";

export type { ZipLimits };

/** Options of {@link openZip}. */
export interface OpenZipOptions extends ZipLimits {
  /**
   * The last bytes of the file, when the caller already has them (for example from a suffix range
   * request that also told it the size): they are used instead of a first read.
   */
  tail?: Uint8Array;
  /**
   * How many bytes to read from the end of the file at first (default 65 557: the end record with
   * the longest possible comment). A larger value may save a read of the central directory.
   */
  tailSize?: number;
}

/** One member as the central directory describes it. */
export interface ZipEntry {
  /** Position in the central directory, from 0. */
  readonly index: number;
  /** The name, decoded (UTF-8 when flagged, else code page 437). Directories end with `/`. */
  readonly name: string;
  /** The name's bytes as stored. */
  readonly rawName: Uint8Array;
  /** Compression method: 0 stored, 8 deflated; others cannot be read. */
  readonly method: number;
  /** General-purpose flags (bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8 name). */
  readonly flags: number;
  /** Declared CRC-32 of the uncompressed data. */
  readonly crc32: number;
  /** Size of the stored data in bytes. */
  readonly compressedSize: number;
  /** Declared uncompressed size in bytes. */
  readonly size: number;
  /** Offset of the member's local file header. */
  readonly localHeaderOffset: number;
  /** "Version made by": the high byte is the host system (3 is Unix). */
  readonly versionMadeBy: number;
  /** External file attributes; for Unix hosts the high 16 bits are the file mode. */
  readonly externalAttributes: number;
  /** The Unix file mode (type and permission bits), or null when the archive does not record one. */
  readonly mode: number | null;
  /** A directory entry (name ends with `/`, or the attributes say so). */
  readonly isDirectory: boolean;
  /** A symbolic link (Unix mode in the external attributes). */
  readonly isSymlink: boolean;
  /** Why this member is unsafe or unreadable; empty when it is fine. */
  readonly problems: readonly ZipProblem[];
}

const END_SIZE = 22;
const LOCATOR64_SIZE = 20;
const END64_SIZE = 56;
const CENTRAL_SIZE = 46;
const MAX_COMMENT = 0xffff;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reads with a cached window (the tail) so structures already fetched are not read again. */
class Reader {
  constructor(
    readonly source: RandomAccessSource,
    private cacheOffset: number,
    private cache: Uint8Array,
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.source.size) {
      throw corrupt("a structure lies outside the file");
    }
    const end = this.cacheOffset + this.cache.length;
    if (offset >= this.cacheOffset && offset + length <= end) {
      return this.cache.subarray(offset - this.cacheOffset, offset - this.cacheOffset + length);
    }
    let bytes: Uint8Array;
    try {
      bytes = await this.source.read(offset, length);
    } catch (error) {
      if (error instanceof ZipError) throw error;
      throw new ZipError("corrupt", `cannot read the archive: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
      throw corrupt(`short read (${bytes?.length ?? 0} of ${length} bytes at ${offset})`);
    }
    return bytes;
  }
}

/**
 * Opens a zip archive: finds the end of central directory (ZIP64 too), reads and checks the whole
 * central directory. Members are read later, one at a time, with {@link ZipArchive.read}.
 *
 * @throws {ZipError} `not-zip`, `corrupt`, `limit` or `unsupported` (multi-disk archives)
 */
export async function openZip(
  input: Uint8Array | RandomAccessSource,
  options: OpenZipOptions = {},
): Promise<ZipArchive> {
  const source = input instanceof Uint8Array ? bytesSource(input) : input;
  const limits = { ...DEFAULT_LIMITS, ...definedOnly(options) };
  const size = source.size;
  if (!Number.isSafeInteger(size) || size < 0) throw corrupt("the file size is invalid");
  if (size < END_SIZE) throw new ZipError("not-zip", "not a zip file (too short)");

  // The end record is in the last 22 + 65535 bytes (its comment is at most 65535 bytes).
  const window = Math.min(size, END_SIZE + MAX_COMMENT);
  let tail: Uint8Array;
  if (options.tail && options.tail.length >= END_SIZE && options.tail.length <= size) {
    tail = options.tail;
  } else {
    const want = Math.min(size, Math.max(options.tailSize ?? window, END_SIZE));
    tail = await new Reader(source, 0, new Uint8Array()).read(size - want, want);
  }
  let reader = new Reader(source, size - tail.length, tail);
  let endAt = findEnd(tail);
  if (endAt < 0 && tail.length < window) {
    tail = await reader.read(size - window, window);
    reader = new Reader(source, size - window, tail);
    endAt = findEnd(tail);
  }
  if (endAt < 0) throw new ZipError("not-zip", "not a zip file (no end of central directory)");
  const endOffset = size - tail.length + endAt;
  const end = tail.subarray(endAt, endAt + END_SIZE);
  let disk = u16(end, 4);
  let cdDisk = u16(end, 6);
  let diskEntries = u16(end, 8);
  let entryCount = u16(end, 10);
  let cdSize = u32(end, 12);
  let cdOffset = u32(end, 16);
  const comment = decodeName(tail.subarray(endAt + END_SIZE), false).name;

  // ZIP64: a locator right before the end record points to the ZIP64 end record.
  let cdEnd = endOffset;
  let zip64 = false;
  if (endOffset >= LOCATOR64_SIZE) {
    const locator = await reader.read(endOffset - LOCATOR64_SIZE, LOCATOR64_SIZE);
    if (u32(locator, 0) === SIG_LOCATOR64) {
      zip64 = true;
      if (u32(locator, 4) !== 0 || u32(locator, 16) > 1) {
        throw new ZipError("unsupported", "multi-disk zip archives are not supported");
      }
      const at = u64(locator, 8);
      if (at + END64_SIZE > endOffset - LOCATOR64_SIZE) {
        throw corrupt("the ZIP64 end record lies outside the file");
      }
      const end64 = await reader.read(at, END64_SIZE);
      if (u32(end64, 0) !== SIG_END64) throw corrupt("bad ZIP64 end record signature");
      disk = u32(end64, 16);
      cdDisk = u32(end64, 20);
      diskEntries = u64(end64, 24);
      entryCount = u64(end64, 32);
      cdSize = u64(end64, 40);
      cdOffset = u64(end64, 48);
      cdEnd = at;
    }
  }
  if (disk !== 0 || cdDisk !== 0 || diskEntries !== entryCount) {
    throw new ZipError("unsupported", "multi-disk zip archives are not supported");
  }
  if (entryCount > limits.maxEntries) {
    throw new ZipError("limit", `zip has ${entryCount} members (limit ${limits.maxEntries})`);
  }
  if (cdSize > limits.maxCentralDirectorySize) {
    throw new ZipError(
      "limit",
      `zip central directory is ${cdSize} bytes (limit ${limits.maxCentralDirectorySize})`,
    );
  }
  if (cdOffset + cdSize !== cdEnd) {
    throw corrupt("the central directory is not where the end record says");
  }
  if (entryCount * CENTRAL_SIZE > cdSize) {
    throw corrupt(`the central directory is too small for ${entryCount} members`);
  }
  const cd = await reader.read(cdOffset, cdSize);
  const entries = parseCentralDirectory(cd, entryCount, cdOffset, limits);
  return new ZipArchive(reader, entries, cdOffset, comment, zip64);
}

function definedOnly(options: OpenZipOptions): ZipLimits {
  const out: ZipLimits = {};
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ZipLimits)[]) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}

/** Index of the end record in `tail`, whose comment must end exactly at the end of the file. */
function findEnd(tail: Uint8Array): number {
  const last = tail.length - END_SIZE;
  const first = Math.max(0, last - MAX_COMMENT);
  for (let i = last; i >= first; i--) {
    if (
      u32(tail, i) === SIG_END && u16(tail, i + 20) === last - i
    ) {
      return i;
    }
  }
  return -1;
}

interface EntryInternal extends ZipEntry {
  /** Where the next structure (another member, or the central directory) starts. */
  limit: number;
  /** Length of the central directory's extra field (a hint for the local one). */
  extraLength: number;
}

function parseCentralDirectory(
  cd: Uint8Array,
  count: number,
  cdOffset: number,
  limits: Required<ZipLimits>,
): EntryInternal[] {
  const entries: EntryInternal[] = new Array(count);
  let pos = 0;
  let total = 0;
  for (let index = 0; index < count; index++) {
    if (pos + CENTRAL_SIZE > cd.length || u32(cd, pos) !== SIG_CENTRAL) {
      throw corrupt(`central directory entry ${index} is missing or damaged`);
    }
    const versionMadeBy = u16(cd, pos + 4);
    const flags = u16(cd, pos + 8);
    const method = u16(cd, pos + 10);
    const crc = u32(cd, pos + 16);
    let compressedSize = u32(cd, pos + 20);
    let size = u32(cd, pos + 24);
    const nameLength = u16(cd, pos + 28);
    const extraLength = u16(cd, pos + 30);
    const commentLength = u16(cd, pos + 32);
    let diskStart = u16(cd, pos + 34);
    const externalAttributes = u32(cd, pos + 38);
    let localHeaderOffset = u32(cd, pos + 42);
    const next = pos + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > cd.length) throw corrupt(`central directory entry ${index} is truncated`);
    const rawName = cd.subarray(pos + CENTRAL_SIZE, pos + CENTRAL_SIZE + nameLength);
    const extra = cd.subarray(
      pos + CENTRAL_SIZE + nameLength,
      pos + CENTRAL_SIZE + nameLength + extraLength,
    );

    // ZIP64 extended information: present only for the fields that overflowed, in this order.
    if (
      size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff ||
      diskStart === 0xffff
    ) {
      const z = findExtra(extra, 0x0001, index);
      if (!z) throw corrupt(`entry ${index} needs a ZIP64 extra field and has none`);
      let at = 0;
      const take = () => {
        if (at + 8 > z.length) throw corrupt(`entry ${index} has a short ZIP64 extra field`);
        const v = u64(z, at);
        at += 8;
        return v;
      };
      if (size === 0xffffffff) size = take();
      if (compressedSize === 0xffffffff) compressedSize = take();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      if (diskStart === 0xffff) {
        if (at + 4 > z.length) throw corrupt(`entry ${index} has a short ZIP64 extra field`);
        diskStart = u32(z, at);
      }
    } else {
      findExtra(extra, -1, index); // still check that the extra field is well formed
    }
    if (diskStart !== 0) {
      throw new ZipError("unsupported", "multi-disk zip archives are not supported");
    }

    const decoded = decodeName(rawName, (flags & 0x800) !== 0);
    const name = decoded.name;
    if (size > limits.maxEntrySize) {
      throw new ZipError(
        "limit",
        `zip member ${JSON.stringify(name)} declares ${size} bytes (limit ${limits.maxEntrySize})`,
      );
    }
    total += size;
    if (total > limits.maxTotalSize) {
      throw new ZipError(
        "limit",
        `zip members declare more than ${limits.maxTotalSize} bytes in total`,
      );
    }
    if (localHeaderOffset + LOCAL_SIZE + nameLength + compressedSize > cdOffset) {
      throw corrupt(`the data of ${JSON.stringify(name)} lies outside the file`);
    }
    const encrypted = (flags & 1) !== 0;
    if (method === 0 && !encrypted && size !== compressedSize) {
      throw corrupt(`stored member ${JSON.stringify(name)} has different sizes`);
    }

    const host = versionMadeBy >> 8;
    const high = externalAttributes >>> 16;
    // Unix hosts (3) and macOS (19) keep the mode in the high bits; other hosts normally leave
    // them zero, and a link bit set there is taken at its word either way.
    const mode = host === 3 || host === 19 || high !== 0 ? high : null;
    const type = mode === null ? 0 : mode & S_IFMT;
    const isSymlink = type === S_IFLNK;
    const isDirectory = name.endsWith("/") || type === S_IFDIR ||
      (mode === null && (externalAttributes & 0x10) !== 0);
    const kinds = nameProblems(name);
    if (!decoded.valid) kinds.push("encoding");
    if (isSymlink) kinds.push("symlink");
    else if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) kinds.push("special");
    if (encrypted) kinds.push("encrypted");
    if (method !== 0 && method !== 8) kinds.push("method");

    entries[index] = {
      index,
      name,
      rawName,
      method,
      flags,
      crc32: crc,
      compressedSize,
      size,
      localHeaderOffset,
      versionMadeBy,
      externalAttributes,
      mode,
      isDirectory,
      isSymlink,
      problems: kinds.map((kind) => problem(kind, name)),
      limit: cdOffset,
      extraLength,
    };
    pos = next;
  }

  // Members must not overlap: overlapping members are how the worst zip bombs multiply their
  // output, and a member's data must not be read through another's header.
  const byOffset = entries.slice().sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i + 1 < byOffset.length; i++) {
    const a = byOffset[i];
    const b = byOffset[i + 1];
    if (
      a.localHeaderOffset + LOCAL_SIZE + a.rawName.length + a.compressedSize > b.localHeaderOffset
    ) {
      throw corrupt(`members ${JSON.stringify(a.name)} and ${JSON.stringify(b.name)} overlap`);
    }
    a.limit = b.localHeaderOffset;
  }

  // Duplicates (a directory entry `d/` and a file `d` are the same path).
  const seen = new Set<string>();
  for (const entry of entries) {
    const key = entry.name.endsWith("/") ? entry.name.slice(0, -1) : entry.name;
    if (seen.has(key)) {
      (entry.problems as ZipProblem[]).push(problem("duplicate", entry.name));
    } else {
      seen.add(key);
    }
  }
  return entries;
}

/** Checks the extra field's records and returns the body of record `id` (or undefined). */
function findExtra(extra: Uint8Array, id: number, index: number): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  let at = 0;
  while (at + 4 <= extra.length) {
    const recordId = u16(extra, at);
    const length = u16(extra, at + 2);
    if (at + 4 + length > extra.length) {
      throw corrupt(`entry ${index} has a damaged extra field`);
    }
    if (recordId === id && !found) found = extra.subarray(at + 4, at + 4 + length);
    at += 4 + length;
  }
  return found;
}

/** An open zip archive: its members, and reading one of them. */
export class ZipArchive {
  /** The members, in central-directory order. */
  readonly entries: readonly ZipEntry[];
  /** The archive comment (code page 437). */
  readonly comment: string;
  /** Whether the archive uses ZIP64 end records. */
  readonly zip64: boolean;
  /** Every problem of every member (unsafe names, links, duplicates, unreadable methods). */
  readonly problems: readonly ZipProblem[];
  /** The sum of the members' declared uncompressed sizes. */
  readonly totalSize: number;
  readonly #reader: Reader;
  readonly #byName = new Map<string, EntryInternal>();

  /** Use {@link openZip}. */
  constructor(
    reader: Reader,
    entries: EntryInternal[],
    _cdOffset: number,
    comment: string,
    zip64: boolean,
  ) {
    this.#reader = reader;
    this.entries = entries;
    this.comment = comment;
    this.zip64 = zip64;
    this.problems = entries.flatMap((e) => e.problems);
    this.totalSize = entries.reduce((sum, e) => sum + e.size, 0);
    for (const entry of entries) this.#byName.set(entry.name, entry);
  }

  /** The member called `name` (for duplicated names, the last one, as Python's `zipfile` does). */
  get(name: string): ZipEntry | undefined {
    return this.#byName.get(name);
  }

  /**
   * Throws one `unsafe` {@link ZipError} naming the first problem (and how many more there are)
   * when any member is unsafe to extract or cannot be read.
   */
  assertSafe(): void {
    const problems = this.problems;
    if (problems.length === 0) return;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : "";
    throw new ZipError("unsafe", `${problems[0].message}${more}`);
  }

  /**
   * Reads and checks one member: its local header must agree with the central directory, its data
   * must stay within the member's span, inflate to exactly its declared size and match its CRC-32.
   * A stored member's bytes may be a view into the source's buffer: do not modify them.
   *
   * @throws {ZipError} `unsupported` (encrypted, unknown method), `corrupt`, `checksum`
   */
  async read(entry: ZipEntry | string): Promise<Uint8Array> {
    const e = this.#entry(entry);
    const compressed = await this.#compressed(e);
    let data: Uint8Array;
    if (e.method === 0) {
      data = compressed;
    } else {
      try {
        data = await inflateRawBytes(compressed, e.size);
      } catch (error) {
        throw withName(error, e.name);
      }
    }
    if (data.length !== e.size) {
      throw new ZipError(
        "checksum",
        `zip member ${JSON.stringify(e.name)} has ${data.length} bytes, not the declared ${e.size}`,
      );
    }
    if (crc32(data) !== e.crc32) {
      throw new ZipError("checksum", `zip member ${JSON.stringify(e.name)} fails its CRC-32 check`);
    }
    return data;
  }

  /** Reads a member and decodes it as UTF-8 (invalid UTF-8 is a `corrupt` {@link ZipError}). */
  async readText(entry: ZipEntry | string): Promise<string> {
    const e = this.#entry(entry);
    const data = await this.read(e);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(data);
    } catch {
      throw corrupt(`member ${JSON.stringify(e.name)} is not UTF-8 text`);
    }
  }

  /**
   * Streams a member's uncompressed data in chunks, reading the source piece by piece (for large
   * members). The stream fails with a {@link ZipError} on a size or CRC-32 mismatch, after all
   * data has been delivered: a consumer writing to disk must discard its output on error.
   */
  stream(entry: ZipEntry | string, chunkSize = 1 << 20): ReadableStream<Uint8Array> {
    return ReadableStream.from(this.#checked(this.#entry(entry), Math.max(1, chunkSize)));
  }

  async *#raw(e: EntryInternal, chunkSize: number): AsyncGenerator<Uint8Array> {
    const start = await this.#dataStart(e);
    for (let at = 0; at < e.compressedSize; at += chunkSize) {
      yield await this.#reader.read(start + at, Math.min(chunkSize, e.compressedSize - at));
    }
  }

  async *#checked(e: EntryInternal, chunkSize: number): AsyncGenerator<Uint8Array> {
    this.#readable(e);
    const quoted = JSON.stringify(e.name);
    let crc = 0;
    let total = 0;
    try {
      const chunks = e.method === 0
        ? this.#raw(e, chunkSize)
        : inflateRaw(this.#raw(e, chunkSize), e.size);
      for await (const chunk of chunks) {
        total += chunk.length;
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (error) {
      throw withName(error, e.name);
    }
    if (total !== e.size) {
      throw new ZipError(
        "checksum",
        `zip member ${quoted} has ${total} bytes, not the declared ${e.size}`,
      );
    }
    if (crc !== e.crc32) {
      throw new ZipError("checksum", `zip member ${quoted} fails its CRC-32 check`);
    }
  }

  #entry(entry: ZipEntry | string): EntryInternal {
    const e = typeof entry === "string" ? this.#byName.get(entry) : this.entries.at(entry.index);
    if (!e || (typeof entry !== "string" && e !== entry)) {
      throw new ZipError(
        "corrupt",
        `no member ${JSON.stringify(typeof entry === "string" ? entry : entry.name)} in the zip`,
      );
    }
    return e as EntryInternal;
  }

  #readable(e: EntryInternal): void {
    if (e.flags & 1) {
      throw new ZipError("unsupported", `zip member ${JSON.stringify(e.name)} is encrypted`);
    }
    if (e.method !== 0 && e.method !== 8) {
      throw new ZipError(
        "unsupported",
        `zip member ${
          JSON.stringify(e.name)
        } uses compression method ${e.method} (only stored and deflated are supported)`,
      );
    }
  }

  /** Checks the local header and returns where the member's data starts. */
  async #dataStart(e: EntryInternal): Promise<number> {
    const header = await this.#reader.read(e.localHeaderOffset, LOCAL_SIZE + e.rawName.length);
    return this.#checkLocal(e, header);
  }

  #checkLocal(e: EntryInternal, header: Uint8Array): number {
    const local = parseLocalHeader(header);
    if (local.signature !== SIG_LOCAL) {
      throw corrupt(
        `member ${JSON.stringify(e.name)} has no local header where the directory says`,
      );
    }
    const { nameLength, extraLength } = local;
    if (!sameBytes(header.subarray(LOCAL_SIZE, LOCAL_SIZE + nameLength), e.rawName)) {
      throw corrupt(`the local header of ${JSON.stringify(e.name)} names another file`);
    }
    if (local.method !== e.method) {
      throw corrupt(`the local header of ${JSON.stringify(e.name)} has another compression method`);
    }
    const start = e.localHeaderOffset + LOCAL_SIZE + nameLength + extraLength;
    if (start + e.compressedSize > e.limit) {
      throw corrupt(`the data of ${JSON.stringify(e.name)} runs into the next structure`);
    }
    return start;
  }

  async #compressed(e: EntryInternal): Promise<Uint8Array> {
    this.#readable(e);
    // One read usually covers the header and the data: the local extra field is often a little
    // longer than the central one (timestamps, ZIP64), hence the slack.
    const guess = Math.min(
      e.limit - e.localHeaderOffset,
      LOCAL_SIZE + e.rawName.length + e.extraLength + 64 + e.compressedSize,
    );
    const span = await this.#reader.read(e.localHeaderOffset, guess);
    if (span.length < LOCAL_SIZE + e.rawName.length) {
      throw corrupt(`member ${JSON.stringify(e.name)} is truncated`);
    }
    const start = this.#checkLocal(e, span);
    const from = start - e.localHeaderOffset;
    if (from + e.compressedSize <= span.length) return span.subarray(from, from + e.compressedSize);
    return await this.#reader.read(start, e.compressedSize);
  }
}

function withName(error: unknown, name: string): unknown {
  if (error instanceof ZipError && !error.message.includes(JSON.stringify(name))) {
    return new ZipError(error.code, `zip member ${JSON.stringify(name)}: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}
