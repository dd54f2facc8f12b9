/**
 * The {@link ResolverProvider} over the index client: what versions a project has (with yanks,
 * `Requires-Python` and why a version cannot be installed on the target), and the metadata of a
 * version, read from the wheel that the target would install.
 *
 * What to fetch ahead of the solver is the solver's call: its hints (`prefetch`,
 * `prefetchMetadata`; see `resolver/solve.ts`) come from the requirements, markers and policies it
 * knows. The provider adds what only it can see, the cache: on a warm run, a hinted project's
 * cached page and metadata name the projects that will follow, and their pages are revalidated
 * at once instead of level by level. The HTTP client bounds how many requests run at once.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import type { IndexClient } from "../../store/index/client.ts";
import type { IndexFile } from "../../store/index/types.ts";
import { bestWheel, type Interpreter, unavailableReason } from "../../store/tags/mod.ts";
import { tryParseWheelFilename } from "../../store/wheel/filename.ts";
import { parseSdistFilename } from "../../store/wheel/filename.ts";
import { parseMetadata } from "../../store/wheel/metadata.ts";
import { splitRequirement } from "../../resolver/split_requirement.ts";
import {
  type CandidateVersion,
  evaluateMarker,
  normalizeName,
  normalizeVersion,
  type ResolverProvider,
  sortVersions,
  specifierContains,
  type VersionMetadata,
} from "../../resolver/mod.ts";

/** One version of a project as the index lists it, with what the lock needs. */
export interface Release {
  /** PEP 503-normalized name. */
  name: string;
  /** PEP 440-normalized version. */
  version: string;
  /** The index the project came from (null: only find-links folders). */
  index: string | null;
  /** Every wheel of the version that carries a sha256 (all platforms). */
  wheels: IndexFile[];
  /** The wheel the target would install, or null when none fits. */
  best: IndexFile | null;
  /** The candidate as the resolver sees it. */
  candidate: CandidateVersion;
}

/** Options of {@link IndexProvider}. */
export interface IndexProviderOptions {
  /** Where projects and metadata come from. */
  index: IndexClient;
  /** The target interpreter: its tags choose wheels, its markers choose dependencies. */
  interpreter: Interpreter;
  /**
   * Revalidate the cached pages a hinted project leads to at once (default true); off, only the
   * pages the solver asks for or hints are requested.
   */
  readAhead?: boolean;
  /** Called when a page or metadata arrives (for a progress line). */
  onProgress?: () => void;
  /**
   * Accept a version when it has any wheel, for any Python and platform, not only one the target
   * can install (a lock shared by several machines). Markers and Requires-Python are still
   * judged for the target; its metadata comes from the best wheel for the target when there is
   * one, else from the first wheel by name.
   */
  anyWheel?: boolean;
  /**
   * Projects whose wheels must not be used (`:all:` for every project), as pip's and uv's
   * `--no-binary`. envknit installs wheels only, so their versions are all unavailable, and the
   * resolver says why.
   */
  noBinary?: string[];
}

/** Counters for progress lines and tests. */
export interface ProviderStats {
  /** Project pages loaded. */
  projects: number;
  /** Metadata documents loaded. */
  metadata: number;
}

const PRERELEASE = /(?:a|b|rc|dev)\d+/;

// A version already in PEP 440 normal form, in the shapes nearly every file name has
// (`2.31.0`, `1.0rc1`, `3.0.post2`, `2.0.0.dev1`): its normal form is itself, no wasm call needed.
const NUM = "(?:0|[1-9][0-9]*)";
const CANONICAL = new RegExp(
  `^${NUM}(?:\\.${NUM})*(?:(?:a|b|rc)${NUM})?(?:\\.post${NUM})?(?:\\.dev${NUM})?$`,
);

const CANONICAL_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** `normalizeName`, with the already-normal case answered without the wasm module. */
function normalName(name: string): string {
  return CANONICAL_NAME.test(name) ? name : normalizeName(name);
}

/** `normalizeVersion`, with the common already-normal case answered without the wasm module. */
function normalVersion(version: string): string {
  return CANONICAL.test(version) ? version : normalizeVersion(version);
}

/** A resolver provider backed by an {@link IndexClient}. */
export class IndexProvider implements ResolverProvider {
  /** Counters (see {@link ProviderStats}). */
  readonly stats: ProviderStats = { projects: 0, metadata: 0 };
  /** Names no index (nor find-links folder) has, for error messages. */
  readonly notFound = new Set<string>();
  readonly #index: IndexClient;
  readonly #interp: Interpreter;
  readonly #readAhead: boolean;
  readonly #onProgress?: () => void;
  readonly #anyWheel: boolean;
  readonly #noBinary: Set<string>;
  readonly #releases = new Map<string, Promise<Map<string, Release> | null>>();
  readonly #metadata = new Map<string, Promise<VersionMetadata>>();
  /** Parsed METADATA by file hash. */
  readonly #parsed = new Map<string, ReturnType<typeof parseMetadata>>();
  /** Projects already read ahead from the cache. */
  readonly #peeked = new Set<string>();
  /** Marker → whether it holds for the target (without extras). */
  readonly #markers = new Map<string, boolean>();
  /** Specifier + version → whether it matches (Requires-Python checks repeat a lot). */
  readonly #contains = new Map<string, boolean>();

  /** A provider over `options.index` for `options.interpreter`. */
  constructor(options: IndexProviderOptions) {
    this.#index = options.index;
    this.#interp = options.interpreter;
    this.#readAhead = options.readAhead ?? true;
    this.#onProgress = options.onProgress;
    this.#anyWheel = options.anyWheel ?? false;
    this.#noBinary = new Set(
      (options.noBinary ?? []).map((n) => n === ":all:" ? n : normalName(n)),
    );
  }

  /** The versions of `name`, or null when no index has it. */
  async listVersions(name: string): Promise<CandidateVersion[] | null> {
    const releases = await this.releases(name);
    if (releases === null) return null;
    return [...releases.values()].map((r) => r.candidate);
  }

  /** Every release of `name` by normalized version, or null when no index has it. */
  releases(name: string): Promise<Map<string, Release> | null> {
    const key = normalName(name);
    let pending = this.#releases.get(key);
    if (!pending) {
      pending = this.#load(key);
      this.#releases.set(key, pending);
      pending.catch(() => {});
    }
    return pending;
  }

  /** One release, or null when the index does not list that version. */
  async release(name: string, version: string): Promise<Release | null> {
    return (await this.releases(name))?.get(normalVersion(version)) ?? null;
  }

  async #load(name: string): Promise<Map<string, Release> | null> {
    const page = await this.#index.project(name);
    this.stats.projects++;
    this.#onProgress?.();
    if (page === null) {
      this.notFound.add(name);
      return null;
    }
    return this.#group(name, page.index, page.files);
  }

  /** Files grouped into releases, highest version first. */
  #group(name: string, index: string | null, files: IndexFile[]): Map<string, Release> {
    // Group the files by normalized version (`1.0` and `1.00` are spelled apart but equal).
    const groups = new Map<string, IndexFile[]>();
    for (const file of files) {
      const spelled = tryParseWheelFilename(file.filename)?.version ??
        parseSdistFilename(file.filename)?.version;
      if (spelled === undefined) continue;
      let version: string;
      try {
        version = normalVersion(spelled);
      } catch {
        continue; // an unparsable version in a file name: the file is not a candidate
      }
      const list = groups.get(version) ?? [];
      list.push(file);
      groups.set(version, list);
    }
    const releases = new Map<string, Release>();
    // One call sorts them all (highest first): a comparison per call would cross into wasm
    // n·log n times.
    const versions = sortVersions([...groups.keys()]).reverse();
    for (const version of versions) {
      releases.set(version, this.#release(name, version, index, groups.get(version)!));
    }
    return releases;
  }

  #release(name: string, version: string, index: string | null, files: IndexFile[]): Release {
    const isWheel = (f: IndexFile) => f.filename.endsWith(".whl");
    // A wheel without a sha256 cannot be verified when it is installed: it is refused here.
    const wheels = files.filter((f) => isWheel(f) && /^[0-9a-f]{64}$/.test(f.hashes.sha256 ?? ""));
    const unhashed = files.filter((f) => isWheel(f) && !wheels.includes(f));
    const others = files.filter((f) => !isWheel(f));
    const chosen = bestWheel(wheels.map((w) => w.filename), this.#interp);
    let best = chosen ? wheels[chosen.index] : null;
    if (!best && this.#anyWheel && wheels.length) {
      best = [...wheels].sort((a, b) => (a.filename < b.filename ? -1 : 1))[0];
    }
    let unavailable: string | null = null;
    if (this.#noBinary.has(name) || this.#noBinary.has(":all:")) {
      unavailable = "its wheels are disabled by no_binary (envknit.yaml or --no-binary), and " +
        "envknit installs wheels only";
    } else if (!best) {
      const hashless = bestWheel(unhashed.map((w) => w.filename), this.#interp);
      unavailable = hashless
        ? `the index gives no sha256 for ${unhashed[hashless.index].filename}, so it cannot be ` +
          "verified"
        : unavailableReason([...wheels, ...others].map((f) => f.filename), this.#interp);
    }
    // PEP 592: a version is yanked when all its files are; wheels are what envknit installs.
    const judged = wheels.length ? wheels : files;
    const yanked = judged.length > 0 && judged.every((f) => f.yanked);
    const requiresPython = best?.requiresPython ??
      files.find((f) => f.requiresPython)?.requiresPython ?? null;
    return {
      name,
      version,
      index,
      wheels,
      best,
      candidate: { version, yanked, requiresPython, unavailable },
    };
  }

  /** The dependencies and `Requires-Python` of one version, from its best wheel's METADATA. */
  getMetadata(name: string, version: string): Promise<VersionMetadata> {
    const key = `${normalName(name)}==${normalVersion(version)}`;
    let pending = this.#metadata.get(key);
    if (!pending) {
      pending = this.#getMetadata(normalName(name), normalVersion(version));
      this.#metadata.set(key, pending);
      pending.catch(() => {});
    }
    return pending;
  }

  async #getMetadata(name: string, version: string): Promise<VersionMetadata> {
    const release = await this.release(name, version);
    const file = release?.best ?? release?.wheels[0];
    if (!release || !file) {
      throw new EnvknitError(`no wheel of ${name} ${version} to read its metadata from`);
    }
    const text = await this.#index.metadata(name, file);
    let meta;
    try {
      meta = this.#parse(text, file);
    } catch (error) {
      throw new EnvknitError(
        `the metadata of ${file.filename} cannot be read: ${
          error instanceof Error ? error.message : error
        }`,
      );
    }
    if (normalName(meta.name) !== name || safeNormalize(meta.version) !== version) {
      throw new EnvknitError(
        `the metadata of ${file.filename} describes ${meta.name} ${meta.version}, not ${name} ` +
          version,
        { hints: [`the file at ${file.url} is not what its name says`] },
      );
    }
    this.stats.metadata++;
    this.#onProgress?.();
    // The wheel's own Requires-Python (none when it declares none): the index page's
    // data-requires-python already filtered the candidates, and the lock must record what
    // `install` finds in the wheel, which it compares (#14.1).
    return { requiresDist: meta.requiresDist, requiresPython: meta.requiresPython ?? null };
  }

  /** A hint from the solver: it will need this project soon. */
  prefetch(name: string): void {
    this.#prefetchRequirement(normalName(name), null);
  }

  /** A hint from the solver: it will need this version's metadata soon. */
  prefetchMetadata(name: string, version: string): void {
    this.getMetadata(name, version).catch(() => {});
  }

  /**
   * The requirements of `requiresDist` that apply to the target without extras, split cheaply in
   * JavaScript (the solver parses them properly). Markers are evaluated by the wasm module, once
   * per distinct marker.
   */
  #applicable(requiresDist: string[]): { name: string; specifier: string | null }[] {
    const out: { name: string; specifier: string | null }[] = [];
    for (const line of requiresDist) {
      const req = splitRequirement(line);
      if (!req) continue; // the solver will report a bad requirement; reading ahead skips it
      const marker = req.marker ?? "";
      if (marker) {
        // Requirements behind an extra are left for when the extra is asked for.
        if (/\bextra\b/.test(marker)) continue;
        let applies = this.#markers.get(marker);
        if (applies === undefined) {
          try {
            applies = evaluateMarker(marker, this.#interp.markers, []);
          } catch {
            applies = false;
          }
          this.#markers.set(marker, applies);
        }
        if (!applies) continue;
      }
      let name: string;
      try {
        name = normalName(req.name);
      } catch {
        continue;
      }
      out.push({ name, specifier: req.specifier || null });
    }
    return out;
  }

  /** Requests the page of `name`, and revalidates the cached pages it leads to (see #peek). */
  #prefetchRequirement(name: string, specifier: string | null): void {
    if (this.#readAhead) this.#peek(name, specifier);
    this.releases(name).catch(() => {});
  }

  /**
   * Reads ahead from the cache alone, before the network answers: the cached page of `name`
   * gives the likely version, its cached metadata gives the dependencies, whose pages are then
   * requested at once (and peeked in turn). On a warm run every page of the likely closure is
   * thus revalidated in parallel from the start instead of level by level. What the peek finds
   * only decides which requests start early; answers still come from the revalidated pages.
   */
  #peek(name: string, specifier: string | null): void {
    if (this.#peeked.has(name)) return;
    this.#peeked.add(name);
    this.#index.peek(name).then(async (files) => {
      if (!files) return;
      const likely = this.#likely(this.#group(name, null, files), specifier);
      const text = likely?.best ? await this.#index.peekMetadata(likely.best) : null;
      if (!text) return;
      const meta = this.#parse(text, likely!.best!);
      for (const req of this.#applicable(meta.requiresDist)) {
        this.#prefetchRequirement(req.name, req.specifier);
      }
    }).catch(() => {});
  }

  /** Parses METADATA once per file (reading ahead from the cache parses it before the solver). */
  #parse(text: string, file: IndexFile): ReturnType<typeof parseMetadata> {
    const key = `${file.hashes.sha256 ?? ""} ${file.url}`;
    let meta = this.#parsed.get(key);
    if (!meta) {
      meta = parseMetadata(text, { source: file.filename });
      this.#parsed.set(key, meta);
    }
    return meta;
  }

  /** Whether `version` is in `specifier` (pre-releases judged like others), memoized. */
  #matches(specifier: string, version: string): boolean {
    const key = `${specifier}\0${version}`;
    let result = this.#contains.get(key);
    if (result === undefined) {
      try {
        result = specifierContains(specifier, version, { prereleases: true });
      } catch {
        result = false;
      }
      this.#contains.set(key, result);
    }
    return result;
  }

  /** The version the solver will most likely try first: the highest installable, non-yanked
   * release inside `specifier` and `Requires-Python`, final releases before pre-releases. */
  #likely(releases: Map<string, Release>, specifier: string | null): Release | null {
    const python = this.#interp.markers.python_full_version;
    let pre: Release | null = null;
    for (const release of releases.values()) { // highest first
      const c = release.candidate;
      if (c.yanked || c.unavailable) continue;
      if (c.requiresPython && !this.#matches(c.requiresPython, python)) continue;
      if (specifier && !this.#matches(specifier, c.version)) continue;
      if (!PRERELEASE.test(c.version)) return release;
      pre ??= release;
    }
    return pre;
  }
}

function safeNormalize(version: string): string {
  try {
    return normalVersion(version);
  } catch {
    return version;
  }
}
