/**
 * The index cache in `$ENVKNIT_HOME/cache`:
 *
 * ```
 * cache/index-v1/<16 hex of sha256(index URL)>/<name>.json   a parsed project page + validators
 * cache/metadata-v1/<sha256[0:2]>/<sha256>.metadata          core metadata, by the wheel's sha256
 * ```
 *
 * Pages are revalidated (ETag / Last-Modified) on every online use once stale: a page is fresh only
 * while the server's own `Cache-Control: max-age` says so (PyPI: 10 minutes), never by a guess of
 * ours. Metadata is keyed by the hash of the file it describes, so it can never be stale and is
 * never revalidated. Writes go through a
 * temp file and a rename, so concurrent envknit processes never read half an entry; a cache that
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
const METADATA_DIR = "metadata-v1";

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

  #metadataPath(sha256: string): string {
    return `${this.root}/${METADATA_DIR}/${sha256.slice(0, 2)}/${sha256}.metadata`;
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

  /** The cached core metadata of the file with this sha256, or null. */
  getMetadata(sha256: string): Promise<string | null> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return Promise.resolve(null);
    let text = this.#metadata.get(sha256);
    if (text === undefined) {
      try {
        text = Deno.readTextFileSync(this.#metadataPath(sha256));
      } catch {
        text = null;
      }
      this.#metadata.set(sha256, text);
    }
    return Promise.resolve(text);
  }

  /** Stores the core metadata of the file with this sha256. */
  async putMetadata(sha256: string, metadata: string): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return;
    this.#metadata.set(sha256, metadata);
    await writeFileQuietly(this.#metadataPath(sha256), metadata);
  }
}

/** Exported for the tests of other modules that assert what a cache holds. */
export const CACHE_DIRS = { pages: PAGE_DIR, metadata: METADATA_DIR } as const;
