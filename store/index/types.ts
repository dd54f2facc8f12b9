/**
 * What an index says about a project: its files, with the attributes of PEP 503/592/658/691/714.
 *
 * @module
 */

/** One file of a project as an index (or a find-links folder) lists it. */
export interface IndexFile {
  /** The file name (`requests-2.31.0-py3-none-any.whl`). */
  filename: string;
  /**
   * Absolute URL of the file. It never holds credentials: the HTTP client authenticates by origin
   * (see `HttpClient.rememberCredentials`), and this URL ends up in lock files.
   */
  url: string;
  /** Hashes by lower-case algorithm name (`sha256`), lower-case hex. */
  hashes: Record<string, string>;
  /** The file's `Requires-Python` as the index gives it (PEP 503 `data-requires-python`). */
  requiresPython: string | null;
  /** PEP 592: whether the file is yanked. */
  yanked: boolean;
  /** The reason given for the yank, when there is one. */
  yankedReason?: string;
  /**
   * PEP 658/714: whether the core metadata is served at `url + ".metadata"`: false when not; true
   * when it is without a hash; else the hashes of the metadata file.
   */
  coreMetadata: boolean | Record<string, string>;
  /** Size in bytes, when the index says (PEP 700) or the file is local. */
  size?: number;
  /** The simple-API URL of the index this file came from, or null for a find-links folder. */
  index: string | null;
}

/** A project page: every file of one project from one index (plus find-links folders). */
export interface ProjectPage {
  /** The PEP 503-normalized project name. */
  name: string;
  /** The simple-API URL of the index that served the page (credentials removed), or null when
   * only find-links folders have the project. */
  index: string | null;
  /** The project's files: find-links ones first, then the index's. */
  files: IndexFile[];
  /** Answered without a request: a cached page still fresh (or offline), or find-links alone. */
  fromCache?: boolean;
}
