/**
 * The package index client (PEP 503/691/658/714, find-links, `file://` mirrors, cache).
 *
 * @module
 */
export { CACHE_DIRS, type CachedPage, IndexCache } from "./cache.ts";
export {
  DEFAULT_INDEX_URL,
  freshnessOf,
  IndexClient,
  type IndexClientOptions,
  type IndexStats,
  normalizeIndexUrl,
} from "./client.ts";
export { fetchCoreMetadata, type MetadataSource, readWheelMetadata } from "./core_metadata.ts";
export { FindLinks, projectOfFile, sha256File } from "./find_links.ts";
export {
  decodeEntities,
  type ParsedPage,
  parseHtmlPage,
  parseJsonPage,
  parseProjectPage,
  SIMPLE_ACCEPT,
} from "./page.ts";
export type { IndexFile, ProjectPage } from "./types.ts";
