/**
 * A loopback package index for tests (`Deno.serve` on 127.0.0.1, port 0): the simple API as PEP
 * 503 HTML and PEP 691 JSON (chosen by `Accept`), PEP 658/714 `.metadata` files, PEP 592 yanked
 * files, `data-requires-python`, hashes in URLs, HTTP range requests, ETag revalidation, and
 * injected faults. It counts requests by kind so tests can assert what a client did.
 *
 * ```ts
 * await using index = await startIndex({ projects: { demo: [wheel1, wheel2] } });
 * const page = await fetch(`${index.url}demo/`, { headers: { Accept: JSON_TYPE } });
 * index.counts.page; // 1
 * ```
 *
 * Layout: `/simple/` (project list), `/simple/<normalized name>/` (project page; other spellings
 * redirect there), `/files/<normalized name>/<filename>` (files) and `<file URL>.metadata`.
 * File URLs in pages are relative (`../../files/…`) unless `absoluteUrls` is set.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { normalizeName } from "../../core/names.ts";

/** PEP 691 JSON content type. */
export const JSON_TYPE = "application/vnd.pypi.simple.v1+json";
/** PEP 691 HTML content type. */
export const HTML_TYPE = "application/vnd.pypi.simple.v1+html";

/** A file the index lists. A `BuiltWheel` or `BuiltFile` from the wheel factory fits as it is. */
export interface IndexFile {
  /** The file name (`.whl`, `.tar.gz`, …). */
  filename: string;
  /** The bytes served. */
  bytes: Uint8Array;
  /** The SHA-256 (hex) the index lists; computed from `bytes` when absent. A wrong one lies. */
  sha256?: string;
  /**
   * Core metadata for the PEP 658 `.metadata` file; none when null or absent. Served for wheels
   * only, as PyPI does (an sdist's PKG-INFO is ignored).
   */
  metadata?: string | null;
  /** `Requires-Python` shown in the listing. */
  requiresPython?: string | null;
  /** PEP 592: yanked (`true`, or the reason). */
  yanked?: boolean | string;
  /** PEP 700 `upload-time` (default `2025-01-01T00:00:00.000000Z`). */
  uploadTime?: string;
  /** The version, for the JSON `versions` list; taken from the filename when absent. */
  version?: string;
  /** The PEP 700 `size` the JSON page lists instead of the real one (a lie). */
  listedSize?: number;
}

/** What a request was for. */
export type RequestKind = "root" | "page" | "metadata" | "wheel" | "sdist" | "other";

/** An injected failure. It applies to requests matching `kind` and `path`, `times` times. */
export type Fault =
  & {
    /** Which kinds of request (default: all). `"wheel"`/`"sdist"` include range and HEAD. */
    kind?: RequestKind | RequestKind[];
    /** The URL path (exact, e.g. `/simple/demo/`) or a pattern it must match. */
    path?: string | RegExp;
    /** How many matching requests get it (default: every one). */
    times?: number;
  }
  & (
    /** Answer with this HTTP status (default 500) and optional headers (e.g. `Retry-After`). */
    | { type: "status"; status?: number; headers?: Record<string, string> }
    /**
     * Drop the connection before any body byte. (`Deno.serve` has always sent the status line and
     * headers by then, so `fetch()` resolves and reading the body fails.)
     */
    | { type: "reset" }
    /** Send the real headers (full `Content-Length`) but only `bytes` of the body (default half). */
    | { type: "truncate"; bytes?: number }
    /** Wait `delayMs` before answering, then send the body in pieces `trickleMs` apart. */
    | { type: "slow"; delayMs?: number; trickleMs?: number; chunkSize?: number }
    /** Serve the body with one byte changed: it no longer matches its listed hash. */
    | { type: "corrupt" }
  );

/** Behaviour switches; all can be changed at run time through `index.options`. */
export interface IndexBehaviour {
  /** Serve PEP 658 `.metadata` files and advertise them (default true). */
  metadataFiles: boolean;
  /** Which PEP 714 names advertise them: both (default), only the new, or only the old one. */
  metadataKeys: "both" | "core-metadata" | "dist-info-metadata";
  /** List SHA-256 hashes in URL fragments and JSON (default true). */
  hashes: boolean;
  /** Formats served (default both); a client asking only for another gets 406. */
  formats: ("json" | "html")[];
  /** Honour `Range` requests (default true); when false, full 200 answers and no Accept-Ranges. */
  ranges: boolean;
  /** Send `ETag`s and answer `If-None-Match` with 304 (default true). */
  etags: boolean;
  /** Absolute file URLs in pages instead of relative ones (default false). */
  absoluteUrls: boolean;
  /** A `Cache-Control` header for pages (default none). */
  pageCacheControl: string | null;
  /** A `Cache-Control` header for files: wheels, sdists and `.metadata` (default none). */
  fileCacheControl: string | null;
}

/** Options of {@link startIndex}. */
export interface IndexOptions extends Partial<IndexBehaviour> {
  /** Project name → files. Names are matched PEP 503-normalized. */
  projects?: Record<string, IndexFile[]>;
  /** Faults to inject from the start. */
  faults?: Fault[];
}

/**
 * Request counters. Each request increments `total`, one of the kind counters (`root`, `page`,
 * `metadata`, `wheel` and `sdist` for whole GETs of files, `range` for GETs of files with a
 * `Range` header, `head` for HEADs of files, `other`), and the outcome counters that apply
 * (`notModified` for 304s, `notFound` for 404s, `faults` for injected failures).
 */
export interface RequestCounts {
  total: number;
  root: number;
  page: number;
  metadata: number;
  wheel: number;
  sdist: number;
  range: number;
  head: number;
  other: number;
  notModified: number;
  notFound: number;
  faults: number;
}

/** One logged request. */
export interface RequestRecord {
  /** HTTP method. */
  method: string;
  /** URL path, decoded. */
  path: string;
  /** What it was for. */
  kind: RequestKind;
  /** Status sent (a fault's, when one applied). */
  status: number;
  /** The `Accept` header, or null. */
  accept: string | null;
  /** The `Range` header, or null. */
  range: string | null;
  /** The `If-None-Match` header, or null. */
  ifNoneMatch: string | null;
  /** The fault applied, or null. */
  fault: Fault["type"] | null;
  /** Format of a page answer, or null. */
  format: "json" | "html" | null;
  /** The client's address and port: one per connection, so keep-alive reuse is visible. */
  connection: string;
}

/** A running loopback index. */
export interface IndexServer extends AsyncDisposable {
  /** The simple API root, `http://127.0.0.1:PORT/simple/`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** The port. */
  readonly port: number;
  /** Live counters (see {@link RequestCounts}). */
  readonly counts: RequestCounts;
  /** Every request since the start or the last `reset()`. */
  readonly requests: RequestRecord[];
  /** Distinct client connections seen since the start or the last `reset()`. */
  readonly connections: number;
  /** Behaviour switches, changeable at any time. */
  readonly options: IndexBehaviour;
  /** Zeroes the counters and clears the request log. */
  reset(): void;
  /** The project page URL of `name`. */
  projectUrl(name: string): string;
  /** The absolute URL of a file of a project. */
  fileUrl(project: string, filename: string): string;
  /** Adds a file to a project (creating it); replaces a file of the same name. */
  addFile(project: string, file: IndexFile): void;
  /** Removes a file; returns whether it was there. */
  removeFile(project: string, filename: string): boolean;
  /** Replaces (or removes, with null) a whole project. */
  setProject(name: string, files: IndexFile[] | null): void;
  /** Replaces all faults. */
  setFaults(faults: Fault[]): void;
  /** Adds a fault. */
  addFault(fault: Fault): void;
  /** Faults still active, with the number of uses left (Infinity when unlimited). */
  readonly faults: readonly (Fault & { remaining: number })[];
  /** Stops the server (in-flight slow answers end at once). */
  close(): Promise<void>;
}

interface StoredFile extends IndexFile {
  sha256: string;
  metadataBytes: Uint8Array | null;
  metadataSha256: string | null;
}

interface Project {
  name: string;
  files: Map<string, StoredFile>;
}

const encoder = new TextEncoder();

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
}

function versionOf(file: IndexFile): string {
  if (file.version !== undefined) return file.version;
  if (file.filename.endsWith(".whl")) return file.filename.split("-")[1] ?? "";
  const stem = file.filename.replace(/\.(tar\.gz|zip|tar\.bz2|tgz)$/, "");
  return stem.slice(stem.lastIndexOf("-") + 1);
}

function store(file: IndexFile): StoredFile {
  const metadataBytes = file.metadata == null || !file.filename.endsWith(".whl")
    ? null
    : encoder.encode(file.metadata);
  return {
    ...file,
    sha256: file.sha256 ?? sha256(file.bytes),
    metadataBytes,
    metadataSha256: metadataBytes && sha256(metadataBytes),
  };
}

/** Parses `Accept` into media ranges with their q values. */
function parseAccept(header: string | null): { type: string; q: number }[] {
  if (header === null || header.trim() === "") return [{ type: "*/*", q: 1 }];
  return header.split(",").map((part) => {
    const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    let q = 1;
    for (const p of params) {
      const m = /^q=([0-9.]+)$/.exec(p);
      if (m) q = Math.min(1, Math.max(0, Number(m[1]) || 0));
    }
    return { type, q };
  }).filter((r) => r.type !== "");
}

/**
 * PEP 691 content negotiation: the format and content type to answer with, or null (406). Exact
 * matches beat wildcards; between equal exact matches JSON wins, a bare wildcard gets HTML.
 */
export function negotiate(
  accept: string | null,
  formats: ("json" | "html")[] = ["json", "html"],
): { format: "json" | "html"; contentType: string } | null {
  const candidates = [
    {
      format: "json" as const,
      type: JSON_TYPE,
      aliases: ["application/vnd.pypi.simple.latest+json"],
    },
    {
      format: "html" as const,
      type: HTML_TYPE,
      aliases: ["application/vnd.pypi.simple.latest+html"],
    },
    { format: "html" as const, type: "text/html", aliases: [] },
  ].filter((c) => formats.includes(c.format));
  const ranges = parseAccept(accept);
  let best:
    | { c: (typeof candidates)[number]; q: number; specificity: number; order: number }
    | null = null;
  for (const [i, c] of candidates.entries()) {
    let q = -1;
    let specificity = -1;
    for (const r of ranges) {
      const [major] = c.type.split("/");
      const s = r.type === c.type || c.aliases.includes(r.type)
        ? 2
        : r.type === `${major}/*`
        ? 1
        : r.type === "*/*"
        ? 0
        : -1;
      if (s > specificity) {
        specificity = s;
        q = r.q;
      }
    }
    if (q <= 0) continue;
    const order = specificity === 2 ? i : candidates.length - i;
    if (
      !best || q > best.q || (q === best.q && specificity > best.specificity) ||
      (q === best.q && specificity === best.specificity && order < best.order)
    ) {
      best = { c, q, specificity, order };
    }
  }
  if (!best) return null;
  const contentType = best.c.type === "text/html" ? "text/html; charset=utf-8" : best.c.type;
  return { format: best.c.format, contentType };
}

/** Parses a single `Range: bytes=…` against `size`: a span, "unsatisfiable", or null (ignore). */
function parseRange(
  header: string,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return null; // several ranges or bad syntax: full answer
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== "" && Number(m[2]) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

function etagMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, "");
  return header.split(",").some((t) => t.trim() === "*" || strip(t) === strip(etag));
}

/**
 * Starts a loopback index. Close it with `close()` (or `await using`).
 */
export async function startIndex(options: IndexOptions = {}): Promise<IndexServer> {
  const behaviour: IndexBehaviour = {
    metadataFiles: options.metadataFiles ?? true,
    metadataKeys: options.metadataKeys ?? "both",
    hashes: options.hashes ?? true,
    formats: options.formats ?? ["json", "html"],
    ranges: options.ranges ?? true,
    etags: options.etags ?? true,
    absoluteUrls: options.absoluteUrls ?? false,
    pageCacheControl: options.pageCacheControl ?? null,
    fileCacheControl: options.fileCacheControl ?? null,
  };
  const projects = new Map<string, Project>();
  const setProject = (name: string, files: IndexFile[] | null) => {
    const key = normalizeName(name);
    if (files === null) {
      projects.delete(key);
      return;
    }
    projects.set(key, { name, files: new Map(files.map((f) => [f.filename, store(f)])) });
  };
  for (const [name, files] of Object.entries(options.projects ?? {})) setProject(name, files);

  let faults: (Fault & { remaining: number })[] = [];
  const addFault = (fault: Fault) => faults.push({ ...fault, remaining: fault.times ?? Infinity });
  for (const fault of options.faults ?? []) addFault(fault);

  const zero = (): RequestCounts => ({
    total: 0,
    root: 0,
    page: 0,
    metadata: 0,
    wheel: 0,
    sdist: 0,
    range: 0,
    head: 0,
    other: 0,
    notModified: 0,
    notFound: 0,
    faults: 0,
  });
  const counts = zero();
  const requests: RequestRecord[] = [];
  const connections = new Set<string>();
  const closing = new AbortController();

  // Waits end early when the server closes. (Not on the request's own signal: Deno.serve's legacy
  // behaviour aborts it after every response, and warns about it.)
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closing.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        closing.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      closing.signal.addEventListener("abort", done);
    });

  function findFault(kind: RequestKind, path: string): (Fault & { remaining: number }) | null {
    for (const fault of faults) {
      if (fault.remaining <= 0) continue;
      const kinds = fault.kind === undefined ? null : [fault.kind].flat();
      if (kinds && !kinds.includes(kind)) continue;
      if (typeof fault.path === "string" && fault.path !== path) continue;
      if (fault.path instanceof RegExp && !fault.path.test(path)) continue;
      fault.remaining--;
      faults = faults.filter((f) => f.remaining > 0);
      return fault;
    }
    return null;
  }

  function fileUrl(projectKey: string, filename: string, absolute: boolean, origin: string) {
    const path = `files/${projectKey}/${encodeURIComponent(filename)}`;
    return absolute ? `${origin}/${path}` : `../../${path}`;
  }

  function renderPage(project: Project, format: "json" | "html", origin: string): string {
    const key = normalizeName(project.name);
    const files = [...project.files.values()];
    const meta = (f: StoredFile) =>
      behaviour.metadataFiles && f.metadataSha256 !== null ? { sha256: f.metadataSha256 } : null;
    if (format === "json") {
      const versions = [...new Set(files.map(versionOf))];
      return JSON.stringify({
        meta: { "api-version": "1.1" },
        name: key,
        versions,
        files: files.map((f) => {
          const m = meta(f);
          const entry: Record<string, unknown> = {
            filename: f.filename,
            url: fileUrl(key, f.filename, behaviour.absoluteUrls, origin),
            hashes: behaviour.hashes ? { sha256: f.sha256 } : {},
          };
          if (f.requiresPython != null) entry["requires-python"] = f.requiresPython;
          entry.yanked = f.yanked ?? false;
          if (behaviour.metadataKeys !== "dist-info-metadata") entry["core-metadata"] = m ?? false;
          if (behaviour.metadataKeys !== "core-metadata") entry["dist-info-metadata"] = m ?? false;
          entry.size = f.listedSize ?? f.bytes.length;
          entry["upload-time"] = f.uploadTime ?? "2025-01-01T00:00:00.000000Z";
          return entry;
        }),
      });
    }
    const links = files.map((f) => {
      let href = fileUrl(key, f.filename, behaviour.absoluteUrls, origin);
      if (behaviour.hashes) href += `#sha256=${f.sha256}`;
      const attrs = [`href="${escapeHtml(href)}"`];
      if (f.requiresPython != null) {
        attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
      }
      if (f.yanked !== undefined && f.yanked !== false) {
        attrs.push(`data-yanked="${f.yanked === true ? "" : escapeHtml(f.yanked)}"`);
      }
      const m = meta(f);
      if (m) {
        if (behaviour.metadataKeys !== "core-metadata") {
          attrs.push(`data-dist-info-metadata="sha256=${m.sha256}"`);
        }
        if (behaviour.metadataKeys !== "dist-info-metadata") {
          attrs.push(`data-core-metadata="sha256=${m.sha256}"`);
        }
      }
      return `    <a ${attrs.join(" ")}>${escapeHtml(f.filename)}</a><br />\n`;
    });
    return `<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.1">
    <title>Links for ${escapeHtml(key)}</title>
  </head>
  <body>
    <h1>Links for ${escapeHtml(key)}</h1>
${links.join("")}  </body>
</html>
`;
  }

  function renderRoot(format: "json" | "html"): string {
    const list = [...projects.values()].sort((a, b) =>
      normalizeName(a.name) < normalizeName(b.name) ? -1 : 1
    );
    if (format === "json") {
      return JSON.stringify({
        meta: { "api-version": "1.1" },
        projects: list.map((p) => ({ name: p.name })),
      });
    }
    const links = list.map((p) =>
      `    <a href="${escapeHtml(normalizeName(p.name))}/">${escapeHtml(p.name)}</a><br />\n`
    );
    return `<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.1">
    <title>Simple index</title>
  </head>
  <body>
${links.join("")}  </body>
</html>
`;
  }

  /** The body stream for a fault that damages the body (or for slow answers). */
  function faultBody(body: Uint8Array, fault: Fault | null): BodyInit {
    if (!fault || fault.type === "status") return body as Uint8Array<ArrayBuffer>;
    if (fault.type === "corrupt") {
      const copy = body.slice();
      if (copy.length > 0) copy[copy.length >> 1] ^= 0xff;
      return copy;
    }
    if (fault.type === "reset" || fault.type === "truncate") {
      // Closing the stream before Content-Length bytes makes the server drop the connection.
      const keep = fault.type === "reset"
        ? 0
        : Math.min(fault.bytes ?? body.length >> 1, Math.max(0, body.length - 1));
      return new ReadableStream<Uint8Array<ArrayBuffer>>({
        start(controller) {
          if (keep > 0) controller.enqueue(body.slice(0, keep));
          controller.close();
        },
      });
    }
    const trickle = fault.trickleMs ?? 0;
    if (trickle <= 0) return body as Uint8Array<ArrayBuffer>;
    const size = Math.max(1, fault.chunkSize ?? 1024);
    let at = 0;
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        if (at > 0) await sleep(trickle);
        if (closing.signal.aborted) {
          controller.error(new Error("closed"));
          return;
        }
        controller.enqueue(body.slice(at, at + size));
        at += size;
        if (at >= body.length) controller.close();
      },
    });
  }

  async function handle(req: Request, info: Deno.ServeHandlerInfo): Promise<Response> {
    const url = new URL(req.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const addr = info.remoteAddr as Deno.NetAddr;
    const connection = `${addr.hostname}:${addr.port}`;
    connections.add(connection);
    const record: RequestRecord = {
      method: req.method,
      path,
      kind: "other",
      status: 0,
      accept: req.headers.get("accept"),
      range: req.headers.get("range"),
      ifNoneMatch: req.headers.get("if-none-match"),
      fault: null,
      format: null,
      connection,
    };
    requests.push(record);
    counts.total++;
    const response = await route(req, url, path, record);
    record.status = response.status;
    if (response.status === 304) counts.notModified++;
    if (response.status === 404) counts.notFound++;
    return response;
  }

  async function route(
    req: Request,
    url: URL,
    path: string,
    record: RequestRecord,
  ): Promise<Response> {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      counts.other++;
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    // Classify first, so faults can match the kind even for unknown files.
    let kind: RequestKind = "other";
    let project: Project | undefined;
    let file: StoredFile | undefined;
    let pageName: string | null = null;
    let m: RegExpExecArray | null;
    if (path === "/simple/" || path === "/simple") {
      kind = "root";
    } else if ((m = /^\/simple\/([^/]+)\/?$/.exec(path))) {
      kind = "page";
      pageName = m[1];
      project = projects.get(normalizeName(pageName));
    } else if ((m = /^\/files\/([^/]+)\/([^/]+)$/.exec(path))) {
      project = projects.get(m[1]);
      const name = m[2];
      if (name.endsWith(".metadata") && project?.files.has(name.slice(0, -".metadata".length))) {
        kind = "metadata";
        file = project.files.get(name.slice(0, -".metadata".length));
      } else if (name.endsWith(".metadata") && !project?.files.has(name)) {
        kind = "metadata";
      } else {
        file = project?.files.get(name);
        kind = name.endsWith(".whl") ? "wheel" : "sdist";
      }
    }
    record.kind = kind;
    const isFile = kind === "wheel" || kind === "sdist";
    const ranged = isFile && !head && req.headers.has("range");
    if (isFile) {
      if (head) counts.head++;
      else if (ranged) counts.range++;
      else counts[kind]++;
    } else {
      counts[kind]++;
    }

    const fault = findFault(kind, path);
    if (fault) {
      counts.faults++;
      record.fault = fault.type;
      if (fault.type === "status") {
        return new Response(`injected ${fault.status ?? 500}\n`, {
          status: fault.status ?? 500,
          headers: fault.headers,
        });
      }
      if (fault.type === "slow") await sleep(fault.delayMs ?? 1000);
    }

    const notFound = () => new Response("not found\n", { status: 404 });
    const headers = new Headers();

    if (kind === "root" || kind === "page") {
      if (kind === "root" && path === "/simple") {
        return redirect(url, "/simple/");
      }
      if (kind === "page") {
        const canonical = `/simple/${normalizeName(pageName!)}/`;
        if (!project) return notFound();
        if (path !== canonical) return redirect(url, canonical);
      }
      const chosen = negotiate(req.headers.get("accept"), behaviour.formats);
      if (!chosen) {
        return new Response("not acceptable\n", { status: 406, headers: { vary: "Accept" } });
      }
      record.format = chosen.format;
      const body = encoder.encode(
        kind === "root"
          ? renderRoot(chosen.format)
          : renderPage(project!, chosen.format, url.origin),
      );
      headers.set("content-type", chosen.contentType);
      headers.set("vary", "Accept");
      if (behaviour.pageCacheControl) headers.set("cache-control", behaviour.pageCacheControl);
      return answer(req, body, headers, `"${sha256(body).slice(0, 32)}"`, fault, false);
    }

    if (kind === "metadata") {
      if (!file || !behaviour.metadataFiles || file.metadataBytes === null) return notFound();
      headers.set("content-type", "application/octet-stream");
      if (behaviour.fileCacheControl) headers.set("cache-control", behaviour.fileCacheControl);
      return answer(req, file.metadataBytes, headers, `"${file.metadataSha256}"`, fault, false);
    }

    if (isFile) {
      if (!file) return notFound();
      headers.set(
        "content-type",
        kind === "wheel" ? "application/octet-stream" : "application/x-tar",
      );
      if (behaviour.fileCacheControl) headers.set("cache-control", behaviour.fileCacheControl);
      return answer(req, file.bytes, headers, `"${file.sha256}"`, fault, behaviour.ranges);
    }
    return notFound();
  }

  function redirect(url: URL, path: string): Response {
    return new Response(null, {
      status: 301,
      headers: { location: new URL(path + url.search, url).href },
    });
  }

  function answer(
    req: Request,
    body: Uint8Array,
    headers: Headers,
    etag: string,
    fault: Fault | null,
    ranges: boolean,
  ): Response {
    if (behaviour.etags) {
      headers.set("etag", etag);
      if (etagMatches(req.headers.get("if-none-match"), etag)) {
        return new Response(null, { status: 304, headers });
      }
    }
    let status = 200;
    let part = body;
    if (ranges) {
      headers.set("accept-ranges", "bytes");
      const header = req.headers.get("range");
      const span = header === null ? null : parseRange(header, body.length);
      if (span === "unsatisfiable") {
        headers.set("content-range", `bytes */${body.length}`);
        return new Response(null, { status: 416, headers });
      }
      if (span) {
        status = 206;
        part = body.subarray(span.start, span.end + 1);
        headers.set("content-range", `bytes ${span.start}-${span.end}/${body.length}`);
      }
    }
    headers.set("content-length", String(Math.max(part.length, fault?.type === "reset" ? 1 : 0)));
    if (req.method === "HEAD") return new Response(null, { status, headers });
    return new Response(faultBody(part, fault), { status, headers });
  }

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: closing.signal,
    onListen() {},
    onError(error) {
      return new Response(`index server error: ${error}\n`, { status: 500 });
    },
  }, handle);
  const port = server.addr.port;
  const origin = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | null = null;

  const index: IndexServer = {
    url: `${origin}/simple/`,
    origin,
    port,
    counts,
    requests,
    get connections() {
      return connections.size;
    },
    options: behaviour,
    get faults() {
      return faults;
    },
    reset() {
      Object.assign(counts, zero());
      requests.length = 0;
      connections.clear();
    },
    projectUrl(name) {
      return `${origin}/simple/${normalizeName(name)}/`;
    },
    fileUrl(project, filename) {
      return fileUrl(normalizeName(project), filename, true, origin);
    },
    addFile(project, file) {
      const key = normalizeName(project);
      if (!projects.has(key)) projects.set(key, { name: project, files: new Map() });
      projects.get(key)!.files.set(file.filename, store(file));
    },
    removeFile(project, filename) {
      return projects.get(normalizeName(project))?.files.delete(filename) ?? false;
    },
    setProject,
    setFaults(list) {
      faults = [];
      for (const fault of list) addFault(fault);
    },
    addFault,
    close() {
      if (!closed) {
        closing.abort();
        closed = server.finished;
      }
      return closed;
    },
    [Symbol.asyncDispose]() {
      return index.close();
    },
  };
  await Promise.resolve();
  return index;
}
