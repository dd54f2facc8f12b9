/**
 * The package index client: project pages from one or more simple-API indexes (PEP 503 HTML or
 * PEP 691 JSON, negotiated with `Accept`), find-links folders, `file://` mirrors, and the core
 * metadata of wheels (see `core_metadata.ts`), with the on-disk cache of `cache.ts`.
 *
 * Several indexes: a project is taken from the *first* index that has a page for it, never merged
 * across indexes, so a public index cannot shadow a private one's package (dependency confusion).
 * Find-links folders are local and named by the user: their files are added to the page.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import type { HttpClient } from "../http/client.ts";
import { HttpError } from "../http/client.ts";
import { redactUrl, stripCredentials } from "../http/url.ts";
import { normalizeName } from "../../core/names.ts";
import { ZipError } from "../zip/errors.ts";
import type { CachedPage, IndexCache } from "./cache.ts";
import { cachedMetadata, fetchCoreMetadata } from "./core_metadata.ts";
import { type IndexStats, noIndexWork } from "./stats.ts";
import { FindLinks, projectOfFile } from "./find_links.ts";
import { parseProjectPage, SIMPLE_ACCEPT } from "./page.ts";
import type { IndexFile, ProjectPage } from "./types.ts";

export type { IndexStats };

/**
 * How long one index page may take in all (2 minutes; a page is small next to a wheel, whose
 * downloads get 5 minutes or more). `ENVKNIT_HTTP_DEADLINE` overrides it.
 */
const PAGE_DEADLINE_MS = 2 * 60_000;

/** PyPI's simple API: the default index. */
export const DEFAULT_INDEX_URL = "https://pypi.org/simple/";

/** How an {@link IndexClient} is set up. */
export interface IndexClientOptions {
  /** The HTTP client every request goes through. */
  http: HttpClient;
  /** Simple-API URLs in priority order (the main index first); may hold credentials. */
  indexUrls: string[];
  /** Folders of distribution files (absolute paths or `file://` URLs). */
  findLinks?: string[];
  /** The cache; null for none. */
  cache?: IndexCache | null;
  /** The store's cache folder, for the find-links hash memo (usually the same as the cache's). */
  cacheRoot?: string | null;
  /** Use the cache alone: no request goes out; what is missing is an error that names it. */
  offline?: boolean;
  /** Revalidate every cached page, even one the server said is still fresh. */
  refresh?: boolean;
  /** Keeps a wheel that had to be downloaded whole (for its metadata) for the installer. */
  saveWheel?: (sha256: string, bytes: Uint8Array) => Promise<void>;
}

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A simple-API base URL with exactly one trailing slash. */
export function normalizeIndexUrl(url: string): string {
  return url.replace(/\/+$/, "") + "/";
}

/** The index client. One per operation: it memoizes pages and metadata for the run. */
export class IndexClient {
  /** The indexes, credentials removed, in priority order. */
  readonly indexes: string[];
  /** What the client did (see {@link IndexStats}). */
  readonly stats: IndexStats = noIndexWork();
  readonly #http: HttpClient;
  readonly #indexUrls: string[];
  readonly #findLinks: FindLinks;
  readonly #cache: IndexCache | null;
  readonly #offline: boolean;
  readonly #refresh: boolean;
  readonly #saveWheel?: (sha256: string, bytes: Uint8Array) => Promise<void>;
  readonly #pages = new Map<string, Promise<ProjectPage | null>>();
  readonly #metadata = new Map<string, Promise<string>>();
  /** Projects whose page took a request (of any index, `file:` ones included). */
  readonly #requested = new Set<string>();
  #freshUntil = Infinity;

  /**
   * Until when (epoch ms) every answer this client gave would be given again without a request:
   * the earliest end of freshness among the pages it used (Cache-Control `max-age`). 0 when some
   * answer has no such promise: a find-links folder or a `file://` mirror (read anew every time),
   * an offline or not-found page, a page without `max-age`. Until then, the same questions get
   * the same answers, which is what lets `lock` trust an unchanged lock (`ops/lock/lock_memo.ts`).
   */
  get freshUntil(): number {
    return this.#freshUntil === Infinity ? 0 : this.#freshUntil;
  }

  #answeredUntil(until: number | undefined | null): void {
    this.#freshUntil = Math.min(this.#freshUntil, until ?? 0);
  }

  /** A client for the indexes and folders of `options`. */
  constructor(options: IndexClientOptions) {
    this.#http = options.http;
    // A file URL has no use for credentials (and WHATWG URLs refuse them): they are dropped.
    this.#indexUrls = options.indexUrls.map(normalizeIndexUrl).map((u) =>
      u.startsWith("file:") ? stripCredentials(u) : u
    );
    this.indexes = this.#indexUrls.map((u) => stripCredentials(u));
    for (const url of this.#indexUrls) this.#http.rememberCredentials(url);
    this.#findLinks = new FindLinks(options.findLinks ?? [], options.cacheRoot ?? null);
    this.#cache = options.cache ?? null;
    this.#offline = options.offline ?? false;
    this.#refresh = options.refresh ?? false;
    this.#saveWheel = options.saveWheel;
  }

  /** Whether requests are forbidden. */
  get offline(): boolean {
    return this.#offline;
  }

  /**
   * The files of a project: from the find-links folders, plus the page of the first index that
   * has the project. Null when neither has it. Each name is fetched once per client.
   */
  project(name: string): Promise<ProjectPage | null> {
    const normalized = normalizeName(name);
    let pending = this.#pages.get(normalized);
    if (!pending) {
      pending = this.#project(normalized);
      this.#pages.set(normalized, pending);
      pending.catch(() => {}); // a prefetch nobody awaits must not be an unhandled rejection
    }
    return pending;
  }

  /**
   * The files of `name` from the cache alone (no request, no find-links): the page of the first
   * index whose cache knows the project, or null when the cache cannot tell. For reading ahead
   * while the pages are revalidated; {@link project} is the answer that counts. Also null when
   * {@link project} itself will answer from the cache without a request (a fresh page, or
   * offline): there is nothing to read ahead of.
   */
  async peek(name: string): Promise<IndexFile[] | null> {
    if (!this.#cache || this.#offline) return null;
    const normalized = normalizeName(name);
    for (const index of this.indexes) {
      if (index.startsWith("file:")) return null;
      const cached = await this.#cache.getPage(index, normalized);
      if (!cached) return null;
      if (this.#isFresh(cached)) return null;
      if (!cached.notFound) return ownFiles(cached.files, normalized);
    }
    return null;
  }

  /** Whether a cached page is still fresh by the server's Cache-Control (and may be used). */
  #isFresh(cached: CachedPage): boolean {
    return !cached.notFound && !this.#refresh && (cached.freshUntil ?? 0) > Date.now();
  }

  /**
   * Cached metadata headers of `file`, or null (no request): the wheel's own when a wheel with its
   * sha256 was read whole, else what this file's index said (never another index's claim).
   */
  async peekMetadata(file: IndexFile): Promise<string | null> {
    if (!this.#cache || !file.hashes.sha256) return null;
    return await cachedMetadata(this.#cache, file);
  }

  /** Starts fetching a project page without waiting for it (prefetch). */
  prefetch(name: string): void {
    this.project(name).catch(() => {});
  }

  async #project(name: string): Promise<ProjectPage | null> {
    if (!NAME.test(name)) {
      throw new EnvknitError(`invalid project name ${JSON.stringify(name)}`);
    }
    const local = await this.#findLinks.files(name);
    if (this.#findLinks.folders.length > 0) this.#answeredUntil(0);
    for (let i = 0; i < this.#indexUrls.length; i++) {
      const files = await this.#page(this.#indexUrls[i], this.indexes[i], name);
      if (files === null) continue;
      if (!this.#indexUrls[i].startsWith("file:")) {
        refuseLocalLinks(files, `${this.indexes[i]}${name}/`);
      }
      const fromCache = !this.#requested.has(name);
      return {
        name,
        index: this.indexes[i],
        files: merge(local, ownFiles(files, name)),
        fromCache,
      };
    }
    return local.length ? { name, index: null, files: local, fromCache: true } : null;
  }

  /** One index's page for `name`: its files, or null when the index does not have it. */
  async #page(indexUrl: string, index: string, name: string): Promise<IndexFile[] | null> {
    const url = `${indexUrl}${name}/`;
    const shown = `${index}${name}/`;
    if (indexUrl.startsWith("file:")) {
      this.#answeredUntil(0);
      this.#requested.add(name);
      return this.#filePage(url, shown, index, name);
    }
    const cached = await this.#cache?.getPage(index, name) ?? null;
    // Still fresh by the server's own Cache-Control (PyPI says max-age=600): no request at all,
    // as pip and uv do. `refresh` revalidates anyway.
    if (cached && this.#isFresh(cached)) {
      this.stats.pagesFresh++;
      this.#answeredUntil(cached.freshUntil);
      return cached.files;
    }
    if (this.#offline) {
      this.#answeredUntil(0);
      if (cached) {
        this.stats.pagesFromCache++;
        return cached.notFound ? null : cached.files;
      }
      throw new EnvknitError(
        `offline: the index page of '${name}' is not in the cache (${shown})`,
        {
          hints: ["run 'envknit lock' once without --offline to fill the cache"],
        },
      );
    }
    this.#requested.add(name);
    const response = await this.#http.getBytes(url, {
      accept: SIMPLE_ACCEPT,
      etag: cached?.etag ?? undefined,
      lastModified: cached?.lastModified ?? undefined,
      maxBytes: 128 * 1024 * 1024,
      deadlineMs: PAGE_DEADLINE_MS,
    });
    if (response.status === 304 && cached && !cached.notFound) {
      this.stats.pagesNotModified++;
      // A 304 renews the stored answer's freshness (RFC 9111 §4.3.4); without Cache-Control
      // there is none to renew, and nothing is written.
      const freshUntil = freshnessOf(response.headers);
      this.#answeredUntil(freshUntil);
      if (freshUntil !== null) await this.#cache?.putPage(index, name, { ...cached, freshUntil });
      return cached.files;
    }
    if (response.status === 404 || response.status === 410) {
      this.stats.pagesNotFound++;
      this.#answeredUntil(0);
      await this.#cache?.putPage(index, name, {
        url: shown,
        etag: null,
        lastModified: null,
        files: [],
        notFound: true,
      });
      return null;
    }
    if (response.status !== 200) throw pageStatusError(response.status, shown, name);
    this.stats.pagesFetched++;
    const parsed = parseProjectPage(
      response.body,
      response.headers.get("content-type"),
      response.url,
      index,
    );
    const noStore = /\bno-store\b/i.test(response.headers.get("cache-control") ?? "");
    this.#answeredUntil(noStore ? 0 : freshnessOf(response.headers));
    if (!noStore) {
      const page: CachedPage = {
        url: shown,
        etag: response.headers.get("etag"),
        lastModified: response.headers.get("last-modified"),
        files: parsed.files,
      };
      const freshUntil = freshnessOf(response.headers);
      if (freshUntil !== null) page.freshUntil = freshUntil;
      await this.#cache?.putPage(index, name, page);
    }
    return parsed.files;
  }

  /** A page of a `file://` mirror: read from disk every time (no cache, works offline). */
  async #filePage(
    url: string,
    shown: string,
    index: string,
    name: string,
  ): Promise<IndexFile[] | null> {
    let response = await this.#http.getBytes(url);
    if (response.status === 404) {
      // A mirror may hold the page as `<name>/index.json` (PEP 691 files on disk).
      const json = await this.#http.getBytes(`${url}index.json`);
      if (json.status !== 200) return null;
      response = json;
      response.headers.set("content-type", "application/vnd.pypi.simple.v1+json");
    }
    if (response.status !== 200) throw pageStatusError(response.status, shown, name);
    this.stats.pagesFetched++;
    // Relative links resolve against the folder, as they would against `<folder>/index.html`.
    return parseProjectPage(response.body, response.headers.get("content-type"), url, index)
      .files;
  }

  /**
   * The METADATA header fields of a wheel of `project` (PEP 658, else range requests, else the
   * whole wheel; from the cache when this file's hash was seen before), without the description
   * body. Memoized per file.
   */
  metadata(project: string, file: IndexFile): Promise<string> {
    // By file, not by hash alone: two indexes may list one wheel and say different things of it.
    const key = `${file.hashes.sha256 ?? ""} ${file.url}`;
    let pending = this.#metadata.get(key);
    if (!pending) {
      pending = this.#fetchMetadata(normalizeName(project), file);
      this.#metadata.set(key, pending);
      pending.catch(() => {});
    }
    return pending;
  }

  async #fetchMetadata(project: string, file: IndexFile): Promise<string> {
    try {
      const { text, source } = await fetchCoreMetadata(file, project, {
        http: this.#http,
        cache: this.#cache,
        offline: this.#offline,
        saveWheel: this.#saveWheel,
      });
      this.stats.metadata[source]++;
      return text;
    } catch (error) {
      if (error instanceof ZipError) {
        throw new EnvknitError(`${file.filename}: ${error.message}`, {
          hints: [`the wheel at ${redactUrl(file.url)} is damaged or not a wheel`],
          cause: error,
        });
      }
      throw error;
    }
  }
}

/**
 * A remote index names files on the network only: a `file://` link (a wheel, or anything else)
 * would make envknit read this machine's files on a server's word.
 */
function refuseLocalLinks(files: IndexFile[], shown: string): void {
  for (const file of files) {
    if (/^file:/i.test(file.url)) {
      throw new EnvknitError(
        `index page ${shown} links to a local file, ${redactUrl(file.url)}: ` +
          "a remote index may not point at file:// URLs",
        { hints: ["the index is misconfigured or hostile; nothing was read from that path"] },
      );
    }
  }
}

/** Files of an index page that belong to the project (a page may list strays; pip drops them). */
function ownFiles(files: IndexFile[], name: string): IndexFile[] {
  return files.filter((f) => projectOfFile(f.filename) === name);
}

/** Find-links files first, then the index's; a file name seen twice keeps its first entry. */
function merge(first: IndexFile[], second: IndexFile[]): IndexFile[] {
  const seen = new Set(first.map((f) => f.filename));
  return [...first, ...second.filter((f) => !seen.has(f.filename))];
}

/**
 * Until when an answer is fresh (epoch milliseconds) by its `Cache-Control: max-age` (minus
 * `Age`) or `Expires`; null when it says nothing, 0 for `no-cache`. A private cache, so
 * `s-maxage` does not apply.
 */
export function freshnessOf(headers: Headers, now = Date.now()): number | null {
  const control = (headers.get("cache-control") ?? "").toLowerCase();
  if (/\b(?:no-cache|no-store)\b/.test(control)) return 0;
  const maxAge = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/.exec(control);
  if (maxAge) {
    const age = Number(headers.get("age") ?? 0) || 0;
    return now + Math.max(0, Number(maxAge[1]) - age) * 1000;
  }
  const expires = headers.get("expires");
  if (expires !== null) {
    // Only an HTTP-date counts (RFC 9110 §5.6.7); anything else (`0`, `-1`) means expired.
    const httpDate = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
    const at = httpDate.test(expires.trim()) ? Date.parse(expires) : NaN;
    const date = Date.parse(headers.get("date") ?? "");
    // Expires is relative to the server's clock: measured from its Date when there is one.
    if (!Number.isFinite(at)) return 0;
    return now + Math.max(0, at - (Number.isFinite(date) ? date : now));
  }
  return null;
}

function pageStatusError(status: number, shown: string, name: string): EnvknitError {
  const hints = status === 401 || status === 403
    ? ["add credentials to the index URL (https://user:pass@host/simple) or to ~/.netrc"]
    : [`the index could not give the page of '${name}'; try again later`];
  return new HttpError(`index page ${shown} answered HTTP ${status}`, shown, "status", {
    status,
    hints,
  });
}
