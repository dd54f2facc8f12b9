/**
 * What an index client did, in a module of its own so that a caller can report "nothing done"
 * without loading the client.
 *
 * @module
 */
import type { MetadataSource } from "./core_metadata.ts";

/** What the client did, for tests, benchmarks and `-v`. */
export interface IndexStats {
  /** Pages fetched in full (200). */
  pagesFetched: number;
  /** Pages revalidated with a 304. */
  pagesNotModified: number;
  /** Pages taken from the cache without a request (offline). */
  pagesFromCache: number;
  /** Pages taken from the cache without a request because they were still fresh (max-age). */
  pagesFresh: number;
  /** Index pages that did not exist (404/410). */
  pagesNotFound: number;
  /** Metadata by source. */
  metadata: Record<MetadataSource, number>;
}

/** Counters at zero: a client that read nothing (or none was needed). */
export function noIndexWork(): IndexStats {
  return {
    pagesFetched: 0,
    pagesNotModified: 0,
    pagesFromCache: 0,
    pagesFresh: 0,
    pagesNotFound: 0,
    metadata: { cache: 0, pep658: 0, range: 0, wheel: 0, local: 0 },
  };
}
