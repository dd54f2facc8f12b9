/**
 * Parsed project files kept as JSON in `$ENVKNIT_HOME/cache/parsed/`, keyed by the sha256 of
 * their text (and the file's path and envknit's version). A warm `lock`, `install` or `run` reads
 * envknit.yaml and envknit.lock.yaml through it and never loads the YAML parser.
 *
 * Only values that passed validation are stored, and only when the caller says so (`remember`),
 * so a command that fails leaves the store as it was. The cache belongs to the user's own store:
 * an entry is trusted as the parse of the text whose hash names it.
 *
 * @module
 */
import { ENVKNIT_VERSION } from "../core/version.ts";
import { sha256Hex } from "../core/sha256.ts";
import { writeFileQuietly } from "../core/atomic_write.ts";

/**
 * Bumped when the shape of a cached value changes, or when validation gets stricter (2: unknown
 * top-level keys of envknit.yaml are errors), so a file an older reading accepted is read again.
 */
const FORMAT = 3;

/** A value parsed from a file's text, possibly read from the cache. */
export interface CachedParse<T> {
  value: T;
  /** Identifies the text (and this envknit's reading of it). */
  key: string;
  /** Stores the value in the cache (a no-op when it came from there or there is no cache). */
  remember(): Promise<void>;
}

/**
 * Returns the cached parse of `text` (a `kind` of file read from `path`), or runs `parse`.
 * `dir` null disables the cache.
 */
export async function parseThroughCache<T>(options: {
  kind: string;
  path: string;
  text: string;
  dir: string | null;
  parse: () => Promise<T>;
  /**
   * Whether a value may be kept at rest (default: always). A value holding a secret (an index
   * URL with a password) is not: it is parsed every time, and a copy an older envknit kept is
   * removed.
   */
  mayKeep?: (value: T) => boolean;
}): Promise<CachedParse<T>> {
  const { kind, path, text, dir, parse } = options;
  const mayKeep = options.mayKeep ?? (() => true);
  const id = `${ENVKNIT_VERSION}\0${FORMAT}\0${kind}\0${path}\0${text}`;
  const key = (await sha256Hex(id)).slice(0, 32);
  const noop = () => Promise.resolve();
  if (dir === null) return { value: await parse(), key, remember: noop };
  const file = `${dir}/${kind}-${key}.json`;
  try {
    const cached = JSON.parse(await Deno.readTextFile(file));
    if (cached?.key === key && cached.value && typeof cached.value === "object") {
      if (mayKeep(cached.value as T)) return { value: cached.value as T, key, remember: noop };
      await Deno.remove(file).catch(() => {});
    }
  } catch {
    // not cached (or unreadable): parse below
  }
  const value = await parse();
  if (!mayKeep(value)) return { value, key, remember: noop };
  // A read-only store only costs a parse next time.
  const remember = () => writeFileQuietly(file, JSON.stringify({ key, value }));
  return { value, key, remember };
}
