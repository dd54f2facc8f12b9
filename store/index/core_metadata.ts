/**
 * The core metadata (`METADATA`) of a wheel, fetched as cheaply as the index allows:
 *
 * 1. the cache (never stale, never revalidated): the wheel's own METADATA, by the wheel's sha256,
 *    when a wheel with that hash was once read whole; else this index's claim about it, by the
 *    claim's own identity (see `cache.ts` and {@link metadataClaim});
 * 2. PEP 658/714: `<url>.metadata`, checked against the hash the page gives for it;
 * 3. HTTP range requests: the end of the zip (one suffix request that also tells the size), the
 *    central directory if the tail did not hold it, then the one member;
 * 4. only when the server ignores ranges, the whole wheel, checked against its sha256.
 *
 * Local wheels (`file://`) are read in place, by random access. Only the header section is kept
 * (see {@link metadataHeaders}).
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { type HttpClient, HttpError } from "../http/client.ts";
import { redactUrl } from "../http/url.ts";
import type { RandomAccessSource, ZipArchive } from "../zip/mod.ts";
import { normalizeName } from "../../core/names.ts";
import { keepFields } from "../wheel/metadata.ts";
import type { IndexCache } from "./cache.ts";
import type { IndexFile } from "./types.ts";
import { sha256Hex } from "../../core/sha256.ts";

/** How metadata was obtained (for statistics and tests). */
export type MetadataSource = "cache" | "pep658" | "range" | "wheel" | "local";

/** Bytes fetched from the end of a remote wheel first: the end record, usually the whole
 * central directory, and often METADATA itself (dist-info is written last). */
const TAIL_BYTES = 64 * 1024;
/** Smallest range asked for afterwards: a few small reads become one request. */
const READ_AHEAD = 64 * 1024;
/** Largest METADATA read, from a `.metadata` file or from inside a wheel. */
const MAX_METADATA_BYTES = 64 * 1024 * 1024;
/** Largest wheel downloaded whole just to read its metadata. */
const MAX_WHOLE_WHEEL = 1024 * 1024 * 1024;

/**
 * What envknit keeps of core metadata: the header fields a resolver reads (name, version,
 * Requires-Dist, Requires-Python, …; see `keepFields`). The body (the long description) and the
 * other fields (some wheels carry whole license texts in their header) say nothing a resolver
 * needs, so they are neither cached nor returned.
 */
export function metadataHeaders(text: string): string {
  return keepFields(text);
}

/** Finds `<name>-<version>.dist-info/METADATA` in a wheel for project `name`. */
export async function readWheelMetadata(
  archive: ZipArchive,
  project: string,
  shown: string,
): Promise<string> {
  const candidates = archive.entries.filter((e) =>
    /^[^/]+\.dist-info\/METADATA$/.test(e.name) && !e.isDirectory
  );
  const own = candidates.filter((e) => {
    const dir = e.name.slice(0, e.name.indexOf(".dist-info/"));
    const dash = dir.indexOf("-");
    return dash > 0 && normalizeName(dir.slice(0, dash)) === project;
  });
  const chosen = own.length === 1 ? own[0] : candidates.length === 1 ? candidates[0] : null;
  if (!chosen) {
    throw new EnvknitError(
      candidates.length === 0
        ? `${shown} has no .dist-info/METADATA: it is not a valid wheel`
        : `${shown} has several .dist-info/METADATA files: it is not a valid wheel`,
    );
  }
  // Read into memory: a METADATA declaring more than a .metadata file may be is refused before a
  // byte of it is inflated (a zip bomb in an unverified wheel read at lock time).
  if (chosen.size > MAX_METADATA_BYTES) {
    throw new EnvknitError(
      `${shown}: ${chosen.name} declares ${chosen.size} bytes ` +
        `(the limit is ${MAX_METADATA_BYTES}): it is not a valid wheel`,
    );
  }
  return await archive.readText(chosen);
}

/**
 * A remote file read by HTTP range requests, seeded with the tail already fetched. Reads inside
 * fetched spans are served from memory; others fetch at least {@link READ_AHEAD} bytes.
 */
class RangeSource implements RandomAccessSource {
  readonly #spans: { offset: number; bytes: Uint8Array }[] = [];

  constructor(
    readonly size: number,
    private readonly http: HttpClient,
    private readonly url: string,
    tail: Uint8Array,
  ) {
    this.#spans.push({ offset: size - tail.length, bytes: tail });
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    for (const span of this.#spans) {
      if (offset >= span.offset && offset + length <= span.offset + span.bytes.length) {
        return span.bytes.subarray(offset - span.offset, offset - span.offset + length);
      }
    }
    const end = Math.min(this.size, offset + Math.max(length, READ_AHEAD)) - 1;
    const r = await this.http.getBytes(this.url, { range: { start: offset, end } });
    if (r.status !== 206 || r.body.length !== end - offset + 1) {
      throw new EnvknitError(
        `range request for ${redactUrl(this.url)} answered ${r.status} with ${r.body.length} bytes`,
      );
    }
    this.#spans.push({ offset, bytes: r.body });
    return r.body.subarray(0, length);
  }
}

/** Options of {@link fetchCoreMetadata}. */
export interface FetchMetadataOptions {
  http: HttpClient;
  cache: IndexCache | null;
  offline: boolean;
  /** Where a wheel downloaded whole is kept for the installer (`cache/wheels/<sha256>.whl`). */
  saveWheel?: (sha256: string, bytes: Uint8Array) => Promise<void>;
  /** Bytes asked from the end of the file first (default 64 KiB; tests make it small). */
  tailBytes?: number;
}

/**
 * The zip reader, loaded when a wheel must be opened: a warm lock takes every METADATA from the
 * cache and need not load it (eight modules).
 */
const zip = () => import("../zip/mod.ts");

/**
 * The METADATA text of a wheel file and how it was obtained. The file must carry a sha256 (the
 * index client refuses files without one before this is called).
 */
export async function fetchCoreMetadata(
  file: IndexFile,
  project: string,
  options: FetchMetadataOptions,
): Promise<{ text: string; source: MetadataSource }> {
  const sha256 = file.hashes.sha256;
  const cache = sha256 ? options.cache : null;
  if (cache && sha256) {
    const cached = await cachedMetadata(cache, file);
    if (cached !== null) return { text: cached, source: "cache" };
  }
  const claims = await metadataClaims(file);
  // What was read without hashing the whole wheel is the index's claim, kept as such.
  const keepClaim = (claim: string, text: string) =>
    cache && sha256 ? cache.putClaimedMetadata(sha256, claim, text) : Promise.resolve();
  const urlClaim = claims[claims.length - 1];
  const shown = redactUrl(file.url);

  if (file.url.startsWith("file:")) {
    const path = decodeURIComponent(new URL(file.url).pathname);
    const { openFileSource, openZip } = await zip();
    let source;
    try {
      source = await openFileSource(path);
    } catch (error) {
      throw new EnvknitError(
        `cannot read ${path}: ${error instanceof Error ? error.message : error}`,
      );
    }
    try {
      const text = metadataHeaders(await readWheelMetadata(await openZip(source), project, path));
      await keepClaim(urlClaim, text);
      return { text, source: "local" };
    } finally {
      source.close();
    }
  }

  if (options.offline) {
    throw new EnvknitError(`offline: the metadata of ${file.filename} is not in the cache`, {
      hints: [`run 'envknit lock' once without --offline to fill the cache (${shown})`],
    });
  }

  const { http } = options;
  if (file.coreMetadata) {
    const r = await http.getBytes(`${file.url}.metadata`, { maxBytes: MAX_METADATA_BYTES });
    if (r.status === 200) {
      const expected = typeof file.coreMetadata === "object" ? file.coreMetadata.sha256 : undefined;
      if (expected) {
        const actual = await sha256Hex(r.body);
        if (actual !== expected) {
          throw new EnvknitError(
            `the metadata of ${file.filename} does not match the sha256 its index page gives ` +
              `(page: ${expected}, file: ${actual})`,
            { hints: [`the index at ${file.index ?? shown} serves inconsistent data`] },
          );
        }
      }
      const text = metadataHeaders(decodeText(r.body, `${shown}.metadata`));
      await keepClaim(expected ? claims[0] : urlClaim, text);
      return { text, source: "pep658" };
    }
    // A page that promises metadata the server then does not have: read the wheel instead.
    if (r.status !== 404 && r.status !== 410) throw statusError(r.status, `${shown}.metadata`);
  }

  const tailSize = options.tailBytes ?? TAIL_BYTES;
  const tail = await http.get(file.url, { range: { suffix: tailSize } });
  let text: string;
  let source: MetadataSource;
  let whole = false;
  if (tail.status === 206) {
    const total = /\/(\d+)\s*$/.exec(tail.headers.get("content-range") ?? "")?.[1];
    const tailBytes = await tail.bytes(tailSize + 1);
    if (total === undefined || tailBytes.length > Number(total)) {
      throw new EnvknitError(`range request for ${shown} gave no usable Content-Range`);
    }
    const size = Number(total);
    checkListedSize(file, size, shown);
    if (tailBytes.length === size) {
      // A small wheel: the "tail" is all of it, so it is checked like a whole download.
      await checkWhole(tailBytes, file, shown, options);
      whole = true;
    }
    const rangeSource = new RangeSource(size, http, file.url, tailBytes);
    const archive = await (await zip()).openZip(rangeSource, { tail: tailBytes });
    text = metadataHeaders(await readWheelMetadata(archive, project, shown));
    source = "range";
  } else if (tail.status === 200) {
    // The server ignores ranges: this is the whole wheel. Check it before trusting a byte of it.
    const bytes = await tail.bytes(MAX_WHOLE_WHEEL);
    checkListedSize(file, bytes.length, shown);
    await checkWhole(bytes, file, shown, options);
    const archive = await (await zip()).openZip(bytes);
    text = metadataHeaders(await readWheelMetadata(archive, project, shown));
    source = "wheel";
    whole = true;
  } else {
    await tail.cancel();
    throw statusError(tail.status, shown);
  }
  // A wheel hashed whole is the truth about itself; a range read is what this URL served.
  if (whole && cache && sha256) await cache.putWheelMetadata(sha256, text);
  else await keepClaim(urlClaim, text);
  return { text, source };
}

/** Checks the size the index page lists for a file (PEP 700) against the file's real size. */
function checkListedSize(file: IndexFile, size: number, shown: string): void {
  if (file.size === undefined || file.size === size) return;
  throw new EnvknitError(
    `size mismatch for ${file.filename}: its index page lists ${file.size} bytes, ` +
      `the file has ${size}`,
    { hints: [`the index at ${file.index ?? shown} serves inconsistent data`] },
  );
}

/**
 * The identities under which what an index says about a file's metadata is cached, most specific
 * first: the PEP 658 `.metadata` file's own sha256 when the page gives one, then the hash of the
 * file's URL (for metadata read by range requests, from a `file://` wheel, or from a `.metadata`
 * file the page gives no hash for). Never the wheel's hash alone: another index listing the same
 * wheel must not inherit this one's claim.
 */
export async function metadataClaims(file: IndexFile): Promise<string[]> {
  const claims: string[] = [];
  const own = ownClaim(file);
  if (own) claims.push(own);
  claims.push(await sha256Hex(`url\n${file.url}`));
  return claims;
}

/**
 * The cached metadata of `file`, or null: the wheel's own (read whole), else what one of its
 * {@link metadataClaims} says, in their order. The URL's claim is hashed only when the first one
 * is not cached (a digest per file was a tenth of a warm lock).
 */
export async function cachedMetadata(
  cache: Pick<IndexCache, "getWheelMetadata" | "getClaimedMetadata">,
  file: IndexFile,
): Promise<string | null> {
  const sha256 = file.hashes.sha256;
  if (!sha256) return null;
  const own = await cache.getWheelMetadata(sha256);
  if (own) return own;
  const first = ownClaim(file);
  const claimed = first ? await cache.getClaimedMetadata(sha256, first) : null;
  if (claimed) return claimed;
  const claims = await metadataClaims(file);
  for (const claim of claims.slice(first ? 1 : 0)) {
    const text = await cache.getClaimedMetadata(sha256, claim);
    if (text) return text;
  }
  return null;
}

/** The first claim of {@link metadataClaims}: the `.metadata` file's sha256, when given. */
function ownClaim(file: IndexFile): string | null {
  const own = typeof file.coreMetadata === "object" ? file.coreMetadata.sha256 : undefined;
  return own && /^[0-9a-f]{64}$/.test(own) ? own : null;
}

/** Checks a whole wheel against the page's sha256, then keeps it for the installer. */
async function checkWhole(
  bytes: Uint8Array,
  file: IndexFile,
  shown: string,
  options: FetchMetadataOptions,
): Promise<void> {
  const sha256 = file.hashes.sha256;
  if (!sha256) return;
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) {
    throw new EnvknitError(
      `${file.filename} does not match the sha256 its index page gives ` +
        `(page: ${sha256}, file: ${actual})`,
      { hints: [`the index at ${file.index ?? shown} serves inconsistent data`] },
    );
  }
  await options.saveWheel?.(sha256, bytes);
}

function decodeText(bytes: Uint8Array, shown: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new EnvknitError(`the metadata at ${shown} is not UTF-8 text`);
  }
}

function statusError(status: number, shown: string): HttpError {
  const hints = status === 401 || status === 403
    ? ["add credentials to the index URL (https://user:pass@host/simple) or to ~/.netrc"]
    : [];
  return new HttpError(`GET ${shown} answered HTTP ${status}`, shown, "status", {
    status,
    hints,
  });
}
