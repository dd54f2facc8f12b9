/**
 * `find_links`: folders of distribution files (pip's `--find-links`). A folder is listed once per
 * run; a file's sha256 is computed only when its project is asked for, and remembered in the cache
 * by (path, size, mtime) so a folder of large wheels is not hashed again on every lock.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { normalizeName } from "../../core/names.ts";
import { isSdistFilename, parseSdistFilename, tryParseWheelFilename } from "../wheel/filename.ts";
import type { IndexFile } from "./types.ts";
import { writeFileQuietly } from "../../core/atomic_write.ts";

/**
 * The sha256 of a local file, streamed (Web Crypto has no incremental digest, `node:crypto` does),
 * so a large wheel is not held in memory.
 */
export async function sha256File(path: string): Promise<string> {
  // Imported here: loading `node:crypto` costs milliseconds every run that has no find-links.
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  // `readable` closes the file when it is read to the end or fails.
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/** The project a distribution file name belongs to, normalized, or null when it is neither a
 * wheel nor an sdist. */
export function projectOfFile(filename: string): string | null {
  const wheel = tryParseWheelFilename(filename);
  if (wheel) return wheel.normalizedName;
  if (isSdistFilename(filename)) return parseSdistFilename(filename)?.normalizedName ?? null;
  return null;
}

/** Remembers file hashes by (path, size, mtime) in one JSON file of the cache. */
class HashMemo {
  #entries: Record<string, string> = {};
  #loaded: Promise<void> | null = null;
  #dirty = false;
  constructor(readonly path: string | null) {}

  #load(): Promise<void> {
    return this.#loaded ??= (async () => {
      if (!this.path) return;
      try {
        const data = JSON.parse(await Deno.readTextFile(this.path));
        if (typeof data === "object" && data !== null) this.#entries = data;
      } catch { /* no memo yet */ }
    })();
  }

  async hash(path: string, info: Deno.FileInfo): Promise<string> {
    await this.#load();
    const key = `${path}\0${info.size}\0${info.mtime?.getTime() ?? 0}`;
    const known = this.#entries[key];
    if (typeof known === "string" && /^[0-9a-f]{64}$/.test(known)) return known;
    const digest = await sha256File(path);
    this.#entries[key] = digest;
    this.#dirty = true;
    return digest;
  }

  async save(): Promise<void> {
    if (!this.path || !this.#dirty) return;
    this.#dirty = false;
    await writeFileQuietly(this.path, JSON.stringify(this.#entries));
  }
}

/** The distribution files of a set of local folders, by project. */
export class FindLinks {
  /** The folders, as absolute paths. */
  readonly folders: string[];
  #listing: Promise<Map<string, string[]>> | null = null;
  readonly #memo: HashMemo;

  /**
   * `folders` are absolute paths or `file://` URLs; `cacheRoot` (the store's cache folder)
   * remembers file hashes between runs.
   */
  constructor(folders: string[], cacheRoot: string | null) {
    this.folders = folders.map((f) => {
      if (f.startsWith("file:")) return decodeURIComponent(new URL(f).pathname);
      return f;
    }).map((f) => f.replace(/\/+$/, "") || "/");
    this.#memo = new HashMemo(cacheRoot ? `${cacheRoot}/find-links-v1/hashes.json` : null);
  }

  /** Lists every folder once: project → file paths, in folder order then by name. */
  #list(): Promise<Map<string, string[]>> {
    return this.#listing ??= (async () => {
      const byProject = new Map<string, string[]>();
      for (const folder of this.folders) {
        let names: string[];
        try {
          names = [];
          for await (const entry of Deno.readDir(folder)) {
            if (entry.isFile || entry.isSymlink) names.push(entry.name);
          }
        } catch (error) {
          throw new EnvknitError(
            `cannot read the find-links folder ${folder}: ${
              error instanceof Error ? error.message : error
            }`,
            { hints: ["check find_links in envknit.yaml or --find-links"] },
          );
        }
        for (const name of names.sort()) {
          const project = projectOfFile(name);
          if (!project) continue;
          const list = byProject.get(project) ?? [];
          list.push(`${folder}/${name}`);
          byProject.set(project, list);
        }
      }
      return byProject;
    })();
  }

  /** The files of `project` (normalized) in the folders, hashed; empty when none. */
  async files(project: string): Promise<IndexFile[]> {
    if (this.folders.length === 0) return [];
    const paths = (await this.#list()).get(normalizeName(project)) ?? [];
    const files: IndexFile[] = [];
    for (const path of paths) {
      let info: Deno.FileInfo;
      try {
        info = await Deno.stat(path);
      } catch {
        continue; // removed since the listing
      }
      if (!info.isFile) continue;
      const sha256 = await this.#memo.hash(path, info);
      const url = new URL("file://");
      url.pathname = path;
      files.push({
        filename: path.slice(path.lastIndexOf("/") + 1),
        url: url.href,
        hashes: { sha256 },
        requiresPython: null,
        yanked: false,
        coreMetadata: false,
        size: info.size,
        index: null,
      });
    }
    await this.#memo.save();
    return files;
  }
}
