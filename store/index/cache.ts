/**
 * The index cache in `$ENVKNIT_HOME/cache`:
 *
 * ```
 * cache/index-v1/<16 hex of sha256(index URL)>/<name>.json   a parsed project page + validators
 * cache/metadata-v2/wheel/<w[0:2]>/<w>.metadata               core metadata read from the wheel
 *                                                             whose whole bytes hash to <w>
 * cache/metadata-v2/claim/<w[0:2]>/<w>/<claim>.metadata        what an index *says* the core
 *                                                             metadata of wheel <w> is
 * ```
 *
 * Pages are revalidated (ETag / Last-Modified) on every online use once stale: a page is fresh only
 * while the server's own `Cache-Control: max-age` says so (PyPI: 10 minutes), never by a guess of
 * ours.
 *
 * Metadata is cached under the identity of what was actually checked (issue #14.1). Read from a
 * wheel whose whole bytes matched its sha256 (a wheel downloaded whole, or installed), it is the
 * wheel's own and is kept by that hash, for every index. Anything else is a *claim* of one index:
 * a PEP 658 `.metadata` file (its identity is its own sha256, which the page gives), or METADATA
 * read by range requests or from a `file://` wheel (its identity is the URL it came from). A
 * claim is kept under its own identity, grouped by the wheel it describes so that `install`,
 * which reads the wheel itself, can evict every claim about a wheel that turned out to lie; it is
 * never found by the wheel's hash alone, so one index's lie never reaches a project locked
 * against another index. The wheel's own metadata wins over any claim. Writes go through a temp
 * file and a rename, so concurrent envknit processes never read half an entry; a cache that
 * cannot be written is skipped silently (it only costs time).
 *
 * @module
 */
import type { IndexFile } from "./types.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { writeFileQuietly } from "../../core/atomic_write.ts";

/** A cached project page with what is needed to revalidate it. */
export interface CachedPage {
  /** The page URL (credentials removed). */
  url: string;
  /** The `ETag` to revalidate with. */
  etag: string | null;
  /** The `Last-Modified` to revalidate with. */
  lastModified: string | null;
  /** The parsed files of the page. */
  files: IndexFile[];
  /** The index answered 404: it does not have the project (kept so `--offline` knows). */
  notFound?: boolean;
  /** Until when (epoch ms) the server's Cache-Control says the page is fresh. */
  freshUntil?: number;
}

const PAGE_DIR = "index-v1";
const METADATA_DIR = "metadata-v2";

const SHA256 = /^[0-9a-f]{64}$/;

/** The on-disk cache of one store. All methods tolerate a missing or damaged cache. */
export class IndexCache {
  /** The store's cache folder. */
  readonly root: string;
  readonly #keys = new Map<string, Promise<string>>();
  // What this process read or wrote, so reading ahead and resolving read each file once.
  readonly #pages = new Map<string, CachedPage | null>();
  readonly #metadata = new Map<string, string | null>();

  /** `root` is the store's cache folder (`$ENVKNIT_HOME/cache`). */
  constructor(root: string) {
    this.root = root.replace(/\/+$/, "");
  }

  async #pagePath(index: string, name: string): Promise<string> {
    let pending = this.#keys.get(index);
    if (!pending) {
      pending = sha256Hex(index).then((h) => h.slice(0, 16));
      this.#keys.set(index, pending);
    }
    const key = await pending;
    return `${this.root}/${PAGE_DIR}/${key}/${name}.json`;
  }

  #wheelMetadataPath(wheel: string): string {
    return `${this.root}/${METADATA_DIR}/wheel/${wheel.slice(0, 2)}/${wheel}.metadata`;
  }

  #claimsDir(wheel: string): string {
    return `${this.root}/${METADATA_DIR}/claim/${wheel.slice(0, 2)}/${wheel}`;
  }

  #read(path: string): string | null {
    let text = this.#metadata.get(path);
    if (text === undefined) {
      try {
        text = Deno.readTextFileSync(path);
      } catch {
        text = null;
      }
      this.#metadata.set(path, text);
    }
    return text;
  }

  /** The cached page of `name` (normalized) on `index`, or null. */
  async getPage(index: string, name: string): Promise<CachedPage | null> {
    const path = await this.#pagePath(index, name);
    if (this.#pages.has(path)) return this.#pages.get(path)!;
    let page: CachedPage | null = null;
    try {
      // Synchronous: a few kilobytes read in microseconds, cheaper than an async round trip.
      const data = JSON.parse(Deno.readTextFileSync(path));
      if (typeof data?.url === "string" && Array.isArray(data.files)) page = data as CachedPage;
    } catch {
      // not cached, or unreadable: as good as absent
    }
    this.#pages.set(path, page);
    return page;
  }

  /** Stores a page and its validators. */
  async putPage(index: string, name: string, page: CachedPage): Promise<void> {
    const path = await this.#pagePath(index, name);
    this.#pages.set(path, page);
    await writeFileQuietly(path, JSON.stringify(page));
  }

  /**
   * The core metadata read from the wheel whose whole bytes have this sha256 (the wheel's own,
   * whatever index listed it), or null.
   */
  getWheelMetadata(wheel: string): Promise<string | null> {
    if (!SHA256.test(wheel)) return Promise.resolve(null);
    return Promise.resolve(this.#read(this.#wheelMetadataPath(wheel)));
  }

  /** Keeps the core metadata read from the wheel whose whole bytes have this sha256. */
  async putWheelMetadata(wheel: string, metadata: string): Promise<void> {
    if (!SHA256.test(wheel)) return;
    const path = this.#wheelMetadataPath(wheel);
    this.#metadata.set(path, metadata);
    await writeFileQuietly(path, metadata);
  }

  /**
   * What an index said the core metadata of wheel `wheel` is, under the claim's own identity
   * `claim` (64 hex digits: a `.metadata` file's sha256, or the hash of the URL it came from),
   * or null.
   */
  getClaimedMetadata(wheel: string, claim: string): Promise<string | null> {
    if (!SHA256.test(wheel) || !SHA256.test(claim)) return Promise.resolve(null);
    return Promise.resolve(this.#read(`${this.#claimsDir(wheel)}/${claim}.metadata`));
  }

  /** Keeps what an index said the core metadata of wheel `wheel` is, under `claim`. */
  async putClaimedMetadata(wheel: string, claim: string, metadata: string): Promise<void> {
    if (!SHA256.test(wheel) || !SHA256.test(claim)) return;
    const path = `${this.#claimsDir(wheel)}/${claim}.metadata`;
    this.#metadata.set(path, metadata);
    await writeFileQuietly(path, metadata);
  }

  /** Forgets every claim about wheel `wheel` (they were found to differ from the wheel). */
  async evictClaims(wheel: string): Promise<void> {
    if (!SHA256.test(wheel)) return;
    const dir = this.#claimsDir(wheel);
    for (const path of [...this.#metadata.keys()]) {
      if (path.startsWith(`${dir}/`)) this.#metadata.delete(path);
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Exported for the tests of other modules that assert what a cache holds. */
export const CACHE_DIRS = { pages: PAGE_DIR, metadata: METADATA_DIR } as const;
