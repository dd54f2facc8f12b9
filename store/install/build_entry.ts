/**
 * Builds one store entry from one wheel, in a temp folder inside the store:
 *
 * 1. the wheel's bytes are read once, from the cache, a find-links folder or the network, hashed
 *    (sha256) and spooled to a temp file beside the wheel cache (`receive.ts`); a wheel already in
 *    the cache is hashed where it is. Its size and sha256 must be the lock's before anything of it
 *    is unpacked: a download swapped for a zip bomb costs its own size, never its inflated one;
 * 2. the central directory of the verified file may not hold links, special files, unsafe names or
 *    a file with members below it; executable bits come from it;
 * 3. the members are unpacked front to back from their local headers, which must agree with the
 *    central directory, each inflated with bounded memory (`stream_unzip.ts`);
 * 4. every member must match its RECORD row (hash and size), and RECORD may not list absent files;
 * 5. `.data/` is placed by category, `#!python` scripts and console/gui entry points become
 *    launchers in `bin/`, INSTALLER and a RECORD of what was written are added, and the marker
 *    `.envknit-entry.json` last.
 *
 * Nothing a package ships is executed. {@link commitEntry} then renames the folder into place
 * (and the spooled wheel into the cache) in one step each.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { EnvknitError } from "../../core/errors.ts";
import type { HttpClient } from "../http/client.ts";
import type { WheelFile } from "../packages.ts";
import { ENTRY_MARKER, type EntryMarker, type StoreLayout } from "../layout.ts";
import { openFileSource } from "../zip/source.ts";
import { openZip, type ZipArchive, type ZipEntry } from "../zip/reader.ts";
import { ZipError } from "../zip/errors.ts";
import { ByteReader } from "./byte_reader.ts";
import {
  formatRecord,
  nodeAlgorithm,
  parseRecord,
  RECORD_ALGORITHMS,
  type RecordRow,
  sameDigest,
} from "./record.ts";
import { entryPointScript, parseScriptEntryPoints, rewriteScript } from "./scripts.ts";
import { type LocalMember, streamUnzip } from "./stream_unzip.ts";
import { WheelLayout } from "./wheel_layout.ts";
import { DownloadError, type WheelSource } from "./sources.ts";
import { checkWheelFile, receiveWheel } from "./receive.ts";
import { fileSystemError, withPath } from "../../core/fs_errors.ts";

/** What to build. */
export interface BuildRequest {
  layout: StoreLayout;
  /** The lock's (normalized) name and version: the entry's path. */
  name: string;
  version: string;
  wheel: WheelFile;
  /** The wheel's expanded tags (for the marker). */
  tags: string[];
  source: WheelSource;
  /** Needed for `url` sources. */
  http?: HttpClient;
  /** Called with the size of each chunk read (for progress). */
  onBytes?: (n: number) => void;
}

/** A built entry waiting in a temp folder for {@link commitEntry}. */
export interface PreparedEntry {
  name: string;
  version: string;
  wheel: WheelFile;
  /** The temp folder holding the entry. */
  tmpDir: string;
  /** Where it goes. */
  finalDir: string;
  /** The verified wheel spooled beside the cache, and its place in the cache (or nulls). */
  cacheTmp: string | null;
  cacheFile: string | null;
  /** Files written. */
  files: number;
}

const RECORD_SIGNATURES = new Set(["RECORD", "RECORD.jws", "RECORD.p7s"]);

/**
 * Creates a fresh temp folder under `dir`, creating `dir` (again, if a concurrent cleanup removed
 * it) only when it is missing: every wheel asks, and each `mkdir` costs on a busy file system.
 */
export async function makeTempIn(dir: string, prefix: string): Promise<string> {
  for (let attempt = 0;; attempt++) {
    try {
      return await Deno.makeTempDir({ dir, prefix });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || attempt >= 5) throw error;
      await Deno.mkdir(dir, { recursive: true });
    }
  }
}

/** Renames `from` to `to`, creating `to`'s folder first only when the rename says it is missing. */
async function renameInto(from: string, to: string): Promise<void> {
  try {
    await Deno.rename(from, to);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    await Deno.rename(from, to);
  }
}

/** Builds the entry of `req.wheel` in a temp folder. On failure, nothing is left behind. */
export async function buildEntry(req: BuildRequest): Promise<PreparedEntry> {
  const { layout } = req;
  const tmpDir = await makeTempIn(layout.tmpDir, `${req.name}-`);
  let cacheTmp: string | null = null;
  try {
    // 1. The whole file, hashed: nothing of it is unpacked before its size and sha256 match.
    let wheelPath: string;
    if (req.source.kind === "cache") {
      wheelPath = req.source.path;
      await checkWheelFile(wheelPath, req.wheel, req.onBytes);
    } else {
      const tmp = await makeTempIn(layout.wheelCacheTmpDir, "dl-");
      // One file per download, in its own folder so cleanup can tell what is stale.
      cacheTmp = `${tmp}/${req.wheel.sha256}.whl`;
      await receiveWheel(req.source, req.wheel, cacheTmp, {
        http: req.http,
        onBytes: req.onBytes,
      });
      wheelPath = cacheTmp;
    }
    // 2. The verified file, unpacked.
    const files = await unpackVerified(req, wheelPath, tmpDir);
    return {
      name: req.name,
      version: req.version,
      wheel: req.wheel,
      tmpDir,
      finalDir: layout.entryDir(req.name, req.version, req.wheel.sha256),
      cacheTmp,
      cacheFile: cacheTmp ? layout.cachedWheel(req.wheel.sha256) : null,
      files,
    };
  } catch (error) {
    await Deno.remove(tmpDir, { recursive: true }).catch(() => {});
    if (cacheTmp) await removeSpool(cacheTmp);
    const finalDir = layout.entryDir(req.name, req.version, req.wheel.sha256);
    const inEntry = (path: string) =>
      path.startsWith(`${tmpDir}/`)
        ? `${JSON.stringify(path.slice(tmpDir.length + 1))} in ${finalDir}`
        : path;
    throw namingWheel(fileSystemError(error, inEntry), req.wheel.file);
  }
}

/** Prefixes an error's message with the wheel's file name when it does not name it yet. */
function namingWheel(error: unknown, file: string): unknown {
  if (!(error instanceof EnvknitError) || error.message.includes(file)) return error;
  const message = `${file}: ${error.message}`;
  if (error instanceof DownloadError) {
    return new DownloadError(message, { hints: error.hints, cause: error });
  }
  return new EnvknitError(message, { hints: error.hints, exitCode: error.exitCode, cause: error });
}

async function removeSpool(path: string): Promise<void> {
  await Deno.remove(path.slice(0, path.lastIndexOf("/")), { recursive: true }).catch(() => {});
}

/** Wheels up to this size are read into memory whole to be unpacked. */
const READ_WHOLE = 16 * 1024 * 1024;

/** Reads a file front to back in large pieces (each a fresh buffer: readers keep views). */
async function* fileChunks(file: Deno.FsFile, size = 1 << 20): AsyncGenerator<Uint8Array> {
  for (;;) {
    const buffer = new Uint8Array(size);
    const n = await file.read(buffer);
    if (n === null) return;
    if (n > 0) yield buffer.subarray(0, n);
  }
}

/**
 * Unpacks a wheel file whose sha256 was checked into `tmpDir`, verifies it and completes the
 * entry; returns the file count. The central directory is checked first (links, special files,
 * unsafe names refuse the wheel before a byte is written); the members are then read front to back
 * from their local headers, which must agree with it, each inflated with bounded memory.
 */
async function unpackVerified(
  req: BuildRequest,
  wheelPath: string,
  tmpDir: string,
): Promise<number> {
  // Most wheels are read whole (one read, no seeks); a large one piece by piece.
  using source = await openFileSource(wheelPath);
  const whole = source.size <= READ_WHOLE ? await Deno.readFile(wheelPath) : null;
  if (whole !== null && whole.length !== source.size) {
    throw new EnvknitError(`${wheelPath} changed while it was read`);
  }
  const archive = await openZip(whole ?? source);
  archive.assertSafe();
  refuseClashes(archive);
  const layout = new WheelLayout(req.name);

  let streamed: Awaited<ReturnType<typeof streamUnzip>>;
  {
    using file = whole === null ? await Deno.open(wheelPath, { read: true }) : null;
    const chunks = whole === null ? fileChunks(file!) : (async function* () {
      yield whole;
    })();
    const reader = new ByteReader(chunks, () => {});
    streamed = await streamUnzip(reader, {
      destination: (name) => `${tmpDir}/${layout.map(name)}`,
      root: tmpDir,
    });
  }

  const digests = new Map<string, string>(); // member → sha256 (urlsafe base64)
  const sizes = new Map<string, number>();
  for (const m of streamed.members) {
    if (m.digest !== null) {
      digests.set(m.name, m.digest);
      sizes.set(m.name, m.size);
    }
  }
  const rest = matchCentral(archive, streamed.members, streamed.stoppedAt, streamed.end);
  for (const entry of rest) {
    if (entry.isDirectory) continue;
    const target = `${tmpDir}/${layout.map(entry.name)}`;
    const { digest, size } = await extractFromArchive(archive, entry, target);
    digests.set(entry.name, digest);
    sizes.set(entry.name, size);
  }
  for (const entry of archive.entries) {
    if (entry.isDirectory || entry.mode === null || (entry.mode & 0o111) === 0) continue;
    const target = layout.destinations.get(entry.name);
    if (target !== undefined) await Deno.chmod(`${tmpDir}/${target}`, 0o755);
  }

  return await finishEntry(req, layout, tmpDir, digests, sizes);
}

/**
 * Refuses a wheel where one member is a file and another lies below it (`a` and `a/b`): it
 * cannot be unpacked, and which of the two wins would depend on their order.
 */
function refuseClashes(archive: ZipArchive): void {
  const files = new Set<string>();
  for (const entry of archive.entries) if (!entry.isDirectory) files.add(entry.name);
  for (const entry of archive.entries) {
    for (let at = entry.name.indexOf("/"); at > 0; at = entry.name.indexOf("/", at + 1)) {
      const parent = entry.name.slice(0, at);
      if (files.has(parent)) {
        throw new ZipError(
          "unsafe",
          `zip member ${JSON.stringify(entry.name)} lies inside ${JSON.stringify(parent)}, ` +
            "which is a file of the wheel too",
        );
      }
    }
  }
}

/**
 * Checks that the central directory describes exactly the members streamed from local headers
 * (same names, offsets, methods, CRC-32s and sizes). Returns the central entries at or after an
 * unstreamable member, which are still to be extracted.
 */
function matchCentral(
  archive: ZipArchive,
  members: readonly LocalMember[],
  stoppedAt: number,
  end: "central" | "unstreamable",
): ZipEntry[] {
  const byOffset = new Map<number, ZipEntry>();
  for (const entry of archive.entries) {
    if (byOffset.has(entry.localHeaderOffset)) {
      throw new ZipError("corrupt", "corrupt zip: two central directory entries share one member");
    }
    byOffset.set(entry.localHeaderOffset, entry);
  }
  for (const m of members) {
    const c = byOffset.get(m.offset);
    if (
      !c || !sameBytes(c.rawName, m.rawName) || c.method !== m.method || c.crc32 !== m.crc32 ||
      c.compressedSize !== m.compressedSize || c.size !== m.size
    ) {
      throw new ZipError(
        "corrupt",
        `corrupt zip: the central directory disagrees with the member ${JSON.stringify(m.name)}`,
      );
    }
  }
  const rest = archive.entries.filter((e) => e.localHeaderOffset >= stoppedAt);
  const expected = members.length + (end === "unstreamable" ? rest.length : 0);
  if (archive.entries.length !== expected || (end === "central" && rest.length > 0)) {
    throw new ZipError(
      "corrupt",
      "corrupt zip: the central directory lists members that are not in the archive's body",
    );
  }
  return rest;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Extracts one member through the central directory (after an unstreamable member). */
async function extractFromArchive(
  archive: ZipArchive,
  entry: ZipEntry,
  target: string,
): Promise<{ digest: string; size: number }> {
  await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
  const hash = createHash("sha256");
  const file = await Deno.open(target, { write: true, createNew: true, mode: 0o644 });
  let size = 0;
  try {
    for await (const chunk of archive.stream(entry)) {
      hash.update(chunk);
      size += chunk.length;
      try {
        for (let done = 0; done < chunk.length;) done += await file.write(chunk.subarray(done));
      } catch (error) {
        throw withPath(error, "write", target);
      }
    }
  } finally {
    file.close();
  }
  return { digest: hash.digest("base64url"), size };
}

async function readOptional(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** RECORD check, scripts, INSTALLER, the entry's RECORD and marker. Returns the file count. */
async function finishEntry(
  req: BuildRequest,
  layout: WheelLayout,
  tmpDir: string,
  digests: Map<string, string>,
  sizes: Map<string, number>,
): Promise<number> {
  const distInfo = layout.distInfo;
  if (distInfo === null) {
    throw new EnvknitError(`${req.wheel.file} has no ${req.name} .dist-info folder`);
  }
  const wheelText = await readOptional(`${tmpDir}/${distInfo}/WHEEL`);
  if (wheelText === null) throw new EnvknitError(`${req.wheel.file} has no ${distInfo}/WHEEL`);
  const wheelVersion = /^Wheel-Version:\s*(\d+)\.(\d+)\s*$/m.exec(
    new TextDecoder().decode(wheelText),
  );
  if (!wheelVersion) {
    throw new EnvknitError(`${req.wheel.file}: ${distInfo}/WHEEL has no valid Wheel-Version`);
  }
  if (Number(wheelVersion[1]) !== 1) {
    throw new EnvknitError(
      `${req.wheel.file} uses wheel format ${wheelVersion[1]}.${wheelVersion[2]}; ` +
        "envknit installs format 1.x",
      { hints: ["upgrade envknit"] },
    );
  }

  // 1. Every member against RECORD.
  const recordName = `${distInfo}/RECORD`;
  const recordBytes = await readOptional(`${tmpDir}/${recordName}`);
  if (recordBytes === null) throw new EnvknitError(`${req.wheel.file} has no ${recordName}`);
  let recordText: string;
  try {
    recordText = new TextDecoder("utf-8", { fatal: true }).decode(recordBytes);
  } catch {
    throw new EnvknitError(`${req.wheel.file}: ${recordName} is not UTF-8`);
  }
  const rows = parseRecord(recordText);
  if (rows === null) throw new EnvknitError(`${req.wheel.file}: ${recordName} is not valid CSV`);
  await checkRecord(req.wheel.file, rows, distInfo, layout, tmpDir, digests, sizes);

  // 2. The entry's own record: what was written, by entry path.
  const written = new Map<string, { digest: string; size: number }>();
  for (const [member, target] of layout.destinations) {
    if (member === recordName) continue;
    written.set(target, { digest: digests.get(member)!, size: sizes.get(member)! });
  }
  const put = async (target: string, data: Uint8Array, mode: number) => {
    const path = `${tmpDir}/${target}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.remove(path).catch(() => {});
    await Deno.writeFile(path, data, { mode });
    await Deno.chmod(path, mode);
    written.set(target, {
      digest: createHash("sha256").update(data).digest("base64url"),
      size: data.length,
    });
  };

  // 3. `.data/scripts/`: `#!python` becomes the launcher; every script is executable.
  for (const target of layout.scripts) {
    const path = `${tmpDir}/${target}`;
    const rewritten = rewriteScript(await Deno.readFile(path));
    if (rewritten) await put(target, rewritten, 0o755);
    else await Deno.chmod(path, 0o755);
  }

  // 4. Console and gui entry points.
  const entryPoints = await readOptional(`${tmpDir}/${distInfo}/entry_points.txt`);
  if (entryPoints !== null) {
    const text = new TextDecoder().decode(entryPoints);
    for (const ep of parseScriptEntryPoints(text, `${req.wheel.file}: entry_points.txt`)) {
      await put(`bin/${ep.name}`, new TextEncoder().encode(entryPointScript(ep)), 0o755);
    }
  }

  // 5. INSTALLER, RECORD, marker.
  await put(`${distInfo}/INSTALLER`, new TextEncoder().encode("envknit\n"), 0o644);
  const recordRows: RecordRow[] = [...written].map(([path, w]) => ({
    path,
    algorithm: "sha256",
    digest: w.digest,
    size: w.size,
  }));
  recordRows.push({ path: recordName, algorithm: "", digest: "", size: null });
  await Deno.writeTextFile(`${tmpDir}/${recordName}`, formatRecord(recordRows));
  const marker: EntryMarker = {
    name: req.name,
    version: req.version,
    wheel: req.wheel.file,
    sha256: req.wheel.sha256,
    tags: req.tags,
  };
  await Deno.writeTextFile(`${tmpDir}/${ENTRY_MARKER}`, JSON.stringify(marker, null, 1) + "\n");
  // makeTempDir creates 0700; the store is shared, entries are readable by all like site-packages.
  await Deno.chmod(tmpDir, 0o755);
  return written.size + 2;
}

/** Compares the shipped RECORD with the members; throws on the first lie. */
async function checkRecord(
  wheel: string,
  rows: RecordRow[],
  distInfo: string,
  layout: WheelLayout,
  tmpDir: string,
  digests: Map<string, string>,
  sizes: Map<string, number>,
): Promise<void> {
  const lie = (why: string) =>
    new EnvknitError(`${wheel}: RECORD does not match the wheel: ${why}`, {
      hints: ["the wheel is damaged or was tampered with; nothing was installed"],
    });
  const listed = new Map<string, RecordRow>();
  for (const row of rows) {
    const previous = listed.get(row.path);
    if (
      previous &&
      (previous.algorithm !== row.algorithm || previous.digest !== row.digest ||
        previous.size !== row.size)
    ) {
      throw lie(`${JSON.stringify(row.path)} is listed twice, differently`);
    }
    listed.set(row.path, row);
  }
  const isSignature = (path: string) =>
    path.startsWith(`${distInfo}/`) && RECORD_SIGNATURES.has(path.slice(distInfo.length + 1));
  for (const [path, row] of listed) {
    if (isSignature(path)) continue;
    const digest = digests.get(path);
    if (digest === undefined) throw lie(`it lists ${JSON.stringify(path)}, which the wheel lacks`);
    if (!row.algorithm) throw lie(`it has no hash for ${JSON.stringify(path)}`);
    if (!RECORD_ALGORITHMS.has(row.algorithm)) {
      throw lie(`${JSON.stringify(path)} uses the unsafe or unknown hash ${row.algorithm}`);
    }
    let actual = digest;
    if (row.algorithm !== "sha256") {
      const data = await Deno.readFile(`${tmpDir}/${layout.destinations.get(path)}`);
      actual = createHash(nodeAlgorithm(row.algorithm)).update(data).digest("base64url");
    }
    if (!sameDigest(actual, row.digest)) {
      throw lie(`${JSON.stringify(path)} does not have the hash RECORD gives it`);
    }
    if (row.size !== null && row.size !== sizes.get(path)) {
      throw lie(`${JSON.stringify(path)} does not have the size RECORD gives it`);
    }
  }
  for (const path of digests.keys()) {
    if (!listed.has(path) && !isSignature(path)) {
      throw lie(`${JSON.stringify(path)} is not listed in RECORD`);
    }
  }
}

/**
 * Moves a built entry into place (one rename) and its spooled wheel into the cache. Returns
 * "present" when another installer put the same entry there first (ours is discarded: entries
 * with the same hash are identical).
 */
export async function commitEntry(entry: PreparedEntry): Promise<"installed" | "present"> {
  let outcome: "installed" | "present" = "installed";
  try {
    await renameInto(entry.tmpDir, entry.finalDir);
  } catch (error) {
    const there = await Deno.stat(`${entry.finalDir}/${ENTRY_MARKER}`).then(
      () => true,
      () => false,
    );
    if (!there) {
      throw new EnvknitError(
        `cannot move the entry of ${entry.wheel.file} into ${entry.finalDir}: ${
          (error as Error).message
        }`,
      );
    }
    outcome = "present";
    await Deno.remove(entry.tmpDir, { recursive: true }).catch(() => {});
  }
  if (entry.cacheTmp && entry.cacheFile) {
    // Same content under the same name: replacing a concurrent copy is harmless.
    await renameInto(entry.cacheTmp, entry.cacheFile).catch(() => {});
    await removeSpool(entry.cacheTmp);
  }
  return outcome;
}

/** Throws away a built entry that will not be committed. */
export async function discardEntry(entry: PreparedEntry): Promise<void> {
  await Deno.remove(entry.tmpDir, { recursive: true }).catch(() => {});
  if (entry.cacheTmp) await removeSpool(entry.cacheTmp);
}
