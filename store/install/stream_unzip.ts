/**
 * Extracting a zip front to back from its local file headers, in one sequential read (the
 * installer reads a wheel file whose sha256 it has checked). Only the parts a local header can
 * tell are trusted here; the caller checks the central directory first (types, links, names) and
 * compares the result with it afterwards. Small members are inflated in one call, large ones (by
 * compressed or declared size) piece by piece, so memory stays bounded.
 *
 * A member whose local header does not give its size (data descriptor with zero sizes) cannot be
 * found the end of without inflating blindly; streaming stops there and the caller reads the rest
 * from the complete file through its central directory.
 *
 * @module
 */
import { crc32, inflateRawSync } from "node:zlib";
import { createHash } from "node:crypto";
import { ZipError } from "../zip/errors.ts";
import { withPath } from "../../core/fs_errors.ts";
import {
  corrupt,
  DEFAULT_LIMITS,
  LOCAL_SIZE,
  parseLocalHeader,
  SIG_CENTRAL,
  SIG_DESCRIPTOR,
  SIG_END,
  SIG_END64,
  SIG_LOCAL,
  u16,
  u32,
  u64,
  type ZipLimits,
} from "../zip/format.ts";
import { inflateRaw } from "../zip/inflate.ts";
import { decodeName, nameProblems, problem } from "../zip/names.ts";
import type { ByteReader } from "./byte_reader.ts";

/**
 * Members up to this size, compressed and inflated, are inflated in one call; larger ones piece
 * by piece, so memory stays bounded whatever a member declares (1 GiB of zeros deflates to 1 MiB:
 * the inflated size must be bounded too).
 */
const WHOLE_LIMIT = 8 * 1024 * 1024;

/** One member as its local header and its data showed it. */
export interface LocalMember {
  /** The decoded name (directories end with `/`). */
  name: string;
  /** The name's bytes as stored. */
  rawName: Uint8Array;
  /** Offset of the local header in the file. */
  offset: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  isDirectory: boolean;
  /** The urlsafe-base64 sha256 of the member's data (files only; null for directories). */
  digest: string | null;
}

/**
 * How {@link streamUnzip} behaves. The limits (`maxEntries`, `maxEntrySize`, `maxTotalSize`) and
 * their defaults are those of the zip reader.
 */
export interface StreamUnzipOptions
  extends Pick<ZipLimits, "maxEntries" | "maxEntrySize" | "maxTotalSize"> {
  /**
   * Where to write a file member (an absolute path), or null to read and check it without writing.
   * Called after the name passed the safety checks; throw to refuse the member.
   */
  destination(name: string): string | null;
  /** An existing folder that holds every destination (it is not created again). */
  root?: string;
  /** Called with each directory member's name (after the safety checks). */
  directory?(name: string): void;
}

/** What streaming extraction achieved. */
export interface StreamUnzipResult {
  /** Members read from local headers, in file order. */
  members: LocalMember[];
  /**
   * "central": every member was read and the central directory starts at `reader.position`;
   * "unstreamable": the member at `stoppedAt` has no size in its local header (read it and the
   * rest from the central directory).
   */
  end: "central" | "unstreamable";
  /** Offset of the first byte not handled (the central directory, or the unstreamable member). */
  stoppedAt: number;
}

/**
 * Writes small files in the background, a bounded number at a time (shared by every extraction
 * of the process). Creating a file is the costly part of unpacking on a busy file system, and
 * creations in flight on several threads overlap, where one thread would wait for each in turn.
 */
class WriteQueue {
  static readonly LIMIT = 16;
  static #inFlight = 0;
  static #waiting: (() => void)[] = [];
  readonly #pending = new Set<Promise<void>>();
  #error: unknown = null;

  /**
   * Starts writing `data` to a new file at `path` once `folder` (its parent being created) is
   * ready; waits while too many writes are running.
   */
  async write(path: string, data: Uint8Array, folder: Promise<void>): Promise<void> {
    this.#check();
    while (WriteQueue.#inFlight >= WriteQueue.LIMIT) {
      await new Promise<void>((resolve) => WriteQueue.#waiting.push(resolve));
    }
    WriteQueue.#inFlight++;
    const done = folder.then(() => Deno.writeFile(path, data, { createNew: true })).catch(
      (error) => {
        this.#error ??= error;
      },
    ).finally(() => {
      WriteQueue.#inFlight--;
      WriteQueue.#waiting.shift()?.();
      this.#pending.delete(done);
    });
    this.#pending.add(done);
  }

  /** Waits for every write started here; throws the first failure. */
  async flush(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
    this.#check();
  }

  #check(): void {
    if (this.#error !== null) throw this.#error;
  }
}

/**
 * Creates parent folders once each, top-down with one `mkdir` per folder, in the background: a
 * file's write waits for its folder, the main thread goes on inflating (on a busy file system a
 * `mkdir` takes a fraction of a millisecond, and wheels have hundreds of folders).
 */
class Folders {
  readonly #made = new Map<string, Promise<void>>();

  /** `root` exists already (the entry's temp folder). */
  constructor(root?: string) {
    if (root) this.#made.set(root.replace(/\/+$/, ""), Promise.resolve());
  }

  /** Resolves once the parent folder of `path` exists. */
  parent(path: string): Promise<void> {
    return this.#ensure(path.slice(0, path.lastIndexOf("/")));
  }

  #ensure(dir: string): Promise<void> {
    if (!dir) return Promise.resolve();
    let made = this.#made.get(dir);
    if (!made) {
      made = this.#ensure(dir.slice(0, dir.lastIndexOf("/"))).then(() =>
        Deno.mkdir(dir).catch((error) => {
          if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        })
      );
      made.catch(() => {}); // reported by the write that waits for it
      this.#made.set(dir, made);
    }
    return made;
  }
}

/**
 * Reads local headers and member data from `reader` until the central directory, writing file
 * members where `options.destination` says. Unsafe names (absolute, `..`, backslashes, control
 * characters), duplicates, encryption and unknown methods are refused before anything is written.
 */
export async function streamUnzip(
  reader: ByteReader,
  options: StreamUnzipOptions,
): Promise<StreamUnzipResult> {
  const writes = new WriteQueue();
  let result: StreamUnzipResult;
  try {
    result = await streamMembers(reader, options, new Folders(options.root), writes);
  } catch (error) {
    // Every write must be over before the caller may delete the folder; the first error counts.
    await writes.flush().catch(() => {});
    throw error;
  }
  await writes.flush();
  return result;
}

async function streamMembers(
  reader: ByteReader,
  options: StreamUnzipOptions,
  folders: Folders,
  writes: WriteQueue,
): Promise<StreamUnzipResult> {
  const maxEntrySize = options.maxEntrySize ?? DEFAULT_LIMITS.maxEntrySize;
  const maxTotalSize = options.maxTotalSize ?? DEFAULT_LIMITS.maxTotalSize;
  const maxEntries = options.maxEntries ?? DEFAULT_LIMITS.maxEntries;
  const members: LocalMember[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (;;) {
    const offset = reader.position;
    if (!(await reader.has(4))) throw corrupt("the archive ends before its central directory");
    const signature = u32(await reader.peek(4), 0);
    if (signature === SIG_CENTRAL || signature === SIG_END || signature === SIG_END64) {
      return { members, end: "central", stoppedAt: offset };
    }
    if (signature !== SIG_LOCAL) {
      throw corrupt(`unexpected bytes at offset ${offset} (not a local file header)`);
    }
    if (members.length >= maxEntries) {
      throw new ZipError("limit", `the archive has more than ${maxEntries} members`);
    }
    const local = parseLocalHeader(await reader.read(LOCAL_SIZE));
    const { flags, method, nameLength, extraLength } = local;
    let { crc32: crc, compressedSize, size } = local;
    const rawName = (await reader.read(nameLength)).slice();
    const extra = await reader.read(extraLength);
    const { name, valid } = decodeName(rawName, (flags & 0x800) !== 0);
    const isDirectory = name.endsWith("/");

    const kinds = nameProblems(name);
    if (!valid) kinds.push("encoding");
    if (flags & 1) kinds.push("encrypted");
    if (method !== 0 && method !== 8) kinds.push("method");
    if (kinds.length) throw new ZipError("unsafe", problem(kinds[0], name).message);
    if (seen.has(name)) throw new ZipError("unsafe", problem("duplicate", name).message);
    seen.add(name);

    if (size === 0xffffffff || compressedSize === 0xffffffff) {
      const zip64 = findExtra(extra, 0x0001);
      if (!zip64) throw corrupt(`member ${JSON.stringify(name)} lacks its ZIP64 sizes`);
      let at = 0;
      if (size === 0xffffffff) {
        if (zip64.length < at + 8) throw corrupt(`bad ZIP64 field of ${JSON.stringify(name)}`);
        size = u64(zip64, at);
        at += 8;
      }
      if (compressedSize === 0xffffffff) {
        if (zip64.length < at + 8) throw corrupt(`bad ZIP64 field of ${JSON.stringify(name)}`);
        compressedSize = u64(zip64, at);
      }
    }
    const descriptor = (flags & 0x8) !== 0;
    if (descriptor && compressedSize === 0 && !isDirectory) {
      // Sizes come after the data: the end of the data cannot be known without inflating.
      return { members, end: "unstreamable", stoppedAt: offset };
    }
    if (size > maxEntrySize) {
      throw new ZipError(
        "limit",
        `zip member ${JSON.stringify(name)} declares ${size} bytes (the limit is ${maxEntrySize})`,
      );
    }
    total += size;
    if (total > maxTotalSize) {
      throw new ZipError("limit", `the archive unpacks to more than ${maxTotalSize} bytes`);
    }
    if (method === 0 && compressedSize !== size) {
      throw corrupt(`stored member ${JSON.stringify(name)} has different sizes`);
    }

    let digest: string | null = null;
    if (isDirectory) {
      if (size !== 0) {
        // A directory with contents is something else in disguise.
        throw corrupt(`directory member ${JSON.stringify(name)} has data`);
      }
      // Some writers deflate the empty data of a directory (2 bytes): it must inflate to nothing.
      if (compressedSize > 0) {
        await extractData(reader, writes, {
          name,
          path: null,
          folder: null,
          method,
          compressedSize,
          size,
        });
      }
      options.directory?.(name);
    } else {
      const path = options.destination(name);
      const result = await extractData(reader, writes, {
        name,
        path,
        folder: path === null ? null : folders.parent(path),
        method,
        compressedSize,
        size,
      });
      if (!descriptor && result.crc !== crc) {
        throw new ZipError("checksum", `zip member ${JSON.stringify(name)} fails its CRC-32 check`);
      }
      digest = result.digest;
      if (descriptor) crc = result.crc;
    }
    if (descriptor) {
      const zip64 = size >= 0xffffffff || compressedSize >= 0xffffffff;
      await readDescriptor(reader, name, zip64, { crc, compressedSize, size });
    }
    members.push({
      name,
      rawName,
      offset,
      flags,
      method,
      crc32: crc,
      compressedSize,
      size,
      isDirectory,
      digest,
    });
  }
}

function findExtra(extra: Uint8Array, id: number): Uint8Array | null {
  let at = 0;
  while (at + 4 <= extra.length) {
    const recordId = u16(extra, at);
    const length = u16(extra, at + 2);
    if (at + 4 + length > extra.length) return null;
    if (recordId === id) return extra.subarray(at + 4, at + 4 + length);
    at += 4 + length;
  }
  return null;
}

/** Checks the data descriptor after a member whose local header also had its sizes. */
async function readDescriptor(
  reader: ByteReader,
  name: string,
  zip64: boolean,
  expect: { crc: number; compressedSize: number; size: number },
): Promise<void> {
  const hasSignature = u32(await reader.peek(4), 0) === SIG_DESCRIPTOR;
  if (hasSignature) await reader.read(4);
  const body = await reader.read(zip64 ? 20 : 12);
  const crc = u32(body, 0);
  const compressedSize = zip64 ? u64(body, 4) : u32(body, 4);
  const size = zip64 ? u64(body, 12) : u32(body, 8);
  if (crc !== expect.crc || compressedSize !== expect.compressedSize || size !== expect.size) {
    throw corrupt(`the data descriptor of ${JSON.stringify(name)} disagrees with its header`);
  }
}

/** Reads one member's data, writes it to `path` (unless null); returns its CRC-32 and digest. */
async function extractData(
  reader: ByteReader,
  writes: WriteQueue,
  m: {
    name: string;
    path: string | null;
    /** The creation of `path`'s folder, under way. */
    folder: Promise<void> | null;
    method: number;
    compressedSize: number;
    size: number;
  },
): Promise<{ crc: number; digest: string }> {
  const quoted = JSON.stringify(m.name);
  const hash = createHash("sha256");
  if (m.compressedSize <= WHOLE_LIMIT && m.size <= WHOLE_LIMIT) {
    const raw = await reader.read(m.compressedSize);
    let data: Uint8Array;
    if (m.method === 0) {
      data = raw;
    } else {
      try {
        // maxOutputLength stops a member that inflates beyond its declared size (a bomb).
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, m.size) });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof RangeError || /larger than/.test(message)) {
          throw new ZipError("checksum", `zip member ${quoted} inflates beyond its declared size`);
        }
        throw new ZipError("corrupt", `corrupt zip: member ${quoted}: ${message}`);
      }
    }
    if (data.length !== m.size) {
      throw new ZipError(
        "checksum",
        `zip member ${quoted} has ${data.length} bytes, not the declared ${m.size}`,
      );
    }
    hash.update(data);
    // No `mode`: it costs an fchmod per file; the umask gives 0644 (executables get chmod later).
    if (m.path !== null) await writes.write(m.path, data, m.folder ?? Promise.resolve());
    return { crc: crc32(data), digest: hash.digest("base64url") };
  }
  // A large member: inflate and write piece by piece, memory stays bounded.
  const file = m.path === null
    ? null
    : await m.folder?.then(() => Deno.open(m.path!, { write: true, createNew: true, mode: 0o644 }));
  let crc = 0;
  let total = 0;
  try {
    const pieces = reader.pieces(m.compressedSize);
    const output = m.method === 0 ? pieces : inflateRaw(pieces, m.size);
    for await (const chunk of output) {
      total += chunk.length;
      crc = crc32(chunk, crc);
      hash.update(chunk);
      if (file) {
        try {
          for (let done = 0; done < chunk.length;) done += await file.write(chunk.subarray(done));
        } catch (error) {
          throw withPath(error, "write", m.path!);
        }
      }
    }
  } catch (error) {
    if (error instanceof ZipError && !error.message.includes(quoted)) {
      throw new ZipError(error.code, `zip member ${quoted}: ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    file?.close();
  }
  if (total !== m.size) {
    throw new ZipError(
      "checksum",
      `zip member ${quoted} has ${total} bytes, not the declared ${m.size}`,
    );
  }
  return { crc, digest: hash.digest("base64url") };
}
